from benefit_cli.app import main

main()
