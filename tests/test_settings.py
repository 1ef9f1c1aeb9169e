from coalition.settings import DEFAULT_SQLITE_PATH, Settings, normalise_database_url


def test_default_is_an_embedded_sqlite_file_in_a_gitignored_folder():
    settings = Settings.from_env({})
    assert settings.database_url == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    assert DEFAULT_SQLITE_PATH.parent.name == "instance"
    gitignore = (DEFAULT_SQLITE_PATH.parent.parent / ".gitignore").read_text()
    assert "/instance/" in gitignore.splitlines()


def test_postgres_urls_are_normalised_to_psycopg3():
    for url in (
        "postgres://u:p@db:5432/app",
        "postgresql://u:p@db:5432/app",
        "postgresql+psycopg2://u:p@db:5432/app",
        " postgresql+psycopg://u:p@db:5432/app ",
    ):
        assert normalise_database_url(url) == "postgresql+psycopg://u:p@db:5432/app"
    settings = Settings.from_env({"DATABASE_URL": "postgres://u@h/db"})
    assert settings.database_url == "postgresql+psycopg://u@h/db"
