import pytest

from core.settings import DEFAULT_SQLITE_PATH, PROJECT_ROOT, Settings, normalise_database_url


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


def test_session_lengths_and_the_proxy_setting_are_read_and_checked():
    settings = Settings.from_env(
        {
            "COALITION_SESSION_IDLE_HOURS": "2",
            "COALITION_SESSION_MAX_DAYS": "1.5",
            "COALITION_TRUST_FORWARDED_FOR": "true",
        }
    )
    assert (settings.session_idle_hours, settings.session_max_days) == (2, 1.5)
    assert settings.trust_forwarded_for
    with pytest.raises(ValueError, match="COALITION_SESSION_IDLE_HOURS must be a positive"):
        Settings.from_env({"COALITION_SESSION_IDLE_HOURS": "0"})


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("COALITION_SESSION_MAX_DAYS", "1e8"),
        ("COALITION_SESSION_IDLE_HOURS", "inf"),
        ("COALITION_SESSION_IDLE_HOURS", "nan"),
        ("COALITION_STALE_AFTER_DAYS", "1e400"),
    ],
)
def test_durations_too_long_to_count_are_refused_at_start(name, text):
    """Each once passed the check at start, then failed every sign-in (a session's end date
    past the calendar's)."""
    with pytest.raises(ValueError, match=f"{name} must be a positive number no larger than"):
        Settings.from_env({name: text})


def test_the_apps_address_and_the_mail_settings():
    settings = Settings.from_env(
        {
            "COALITION_BASE_URL": " https://tracker.example.org/ ",
            "COALITION_SMTP_URL": " smtp://mail.example.org:25 ",
            "COALITION_MAIL_FROM": "Tracker <tracker@example.org>",
        }
    )
    assert settings.base_url == "https://tracker.example.org"
    assert settings.smtp_url == "smtp://mail.example.org:25"  # checked where it is used
    assert settings.mail_from == "Tracker <tracker@example.org>"
    assert Settings.from_env({}).base_url is None
    for wrong in ("tracker.example.org", "ftp://tracker.example.org", "https://"):
        with pytest.raises(ValueError, match="COALITION_BASE_URL must be the app's address"):
            Settings.from_env({"COALITION_BASE_URL": wrong})


def test_the_history_copy_folder_defaults_to_instance_and_can_be_turned_off(tmp_path):
    assert Settings.from_env({}).cache_dir == PROJECT_ROOT / "instance" / "cache"
    assert Settings.from_env({"COALITION_CACHE_DIR": str(tmp_path)}).cache_dir == tmp_path
    assert Settings.from_env({"COALITION_CACHE_DIR": " OFF "}).cache_dir is None
