def test_missing_database_is_refused_and_not_created(cli, isolated_db):
    result = cli("contact", "list", code=1)
    assert result.error_lines == [
        f'Error: No database at "{isolated_db}". Create one with: benefit --db "{isolated_db}" db init'
        " (or point --db / BENEFIT_DB at the right file)."
    ]
    assert not isolated_db.exists()
