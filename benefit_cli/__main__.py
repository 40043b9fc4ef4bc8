from benefit_cli.entry import main

main()
