"""The one settings object. Everything configurable is read here, from the environment."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
SCREENS = PROJECT_ROOT / "docs" / "screens"
# The About page's screenshots, at the address Streamlit keeps for static files (st.image
# passes such an address to the browser as it is). As per-run media files they were deleted
# by the next page's run, so a browser that fetched them late got 404s.
SCREENS_URL = "/app/static"
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "instance" / "coalition.db"
# Where each process keeps a copy of the revision history for the next start (coalition.read.
# revisions.DiskCopies); COALITION_CACHE_DIR=off keeps it in memory only.
DEFAULT_CACHE_DIR = PROJECT_ROOT / "instance" / "cache"


def normalise_database_url(url: str) -> str:
    """Point every PostgreSQL URL at the psycopg 3 driver, whatever spelling it came in.

    Hosting platforms hand out ``postgres://`` and ``postgresql://`` URLs; SQLAlchemy would pick
    psycopg2 (not installed) for the latter and reject the former.
    """
    url = url.strip()
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _positive(env, name: str, default: float, most: float) -> float:
    """A positive number no larger than ``most``: durations become timedeltas and dates, and
    an infinite or astronomical one would fail at the first sign-in instead of at start."""
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= most:
        raise ValueError(f"{name} must be a positive number no larger than {most:g}, not {text!r}")
    return value


def _base_url(text: str) -> str | None:
    text = text.strip().rstrip("/")
    if not text:
        return None
    if not text.startswith(("http://", "https://")) or len(text.split("/", 3)[2]) == 0:
        raise ValueError(
            f"COALITION_BASE_URL must be the app's address, e.g. https://tracker.example.org, "
            f"not {text!r}"
        )
    return text


def _cache_dir(text: str) -> Path | None:
    text = text.strip()
    if text.lower() == "off":
        return None
    return Path(text) if text else DEFAULT_CACHE_DIR


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path = DATA_DIR
    # Anyone may look (read-only) without signing in. Off: viewing needs an account.
    anonymous_read: bool = False
    # The first admin account, created with a random password on a start with no accounts.
    admin_email: str = "admin@localhost"
    # Role for people who sign in through the identity provider but have no account here:
    # None refuses them; "viewer" lets them look.
    oidc_default_role: str | None = None
    # A signed-in browser's session ends after this long without a visit, or this long after
    # sign-in, whichever comes first.
    session_idle_hours: float = 8
    session_max_days: float = 7
    # Behind a proxy of ours: the client's address is the last one X-Forwarded-For names
    # (sign-in throttling counts per address). Off: the connection's own address.
    trust_forwarded_for: bool = False
    # The overview and the briefing pack say plainly that the record may be out of date when
    # its newest announcement is older than this many days before the day shown.
    stale_after_days: float = 60
    # The app's address as people reach it (https://tracker.example.org), for the links in
    # email digests and feeds; None: feeds use the address they were asked at.
    base_url: str | None = None
    # The mail server email digests go through (smtp://host:port, smtps://user:pass@host;
    # coalition/notify/mail.py), and the address they come from.
    smtp_url: str | None = None
    mail_from: str | None = None
    # A copy of the revision history kept for the next start (None: in memory only).
    cache_dir: Path | None = DEFAULT_CACHE_DIR

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        url = env.get("DATABASE_URL", "").strip()
        if not url:
            url = f"sqlite:///{DEFAULT_SQLITE_PATH}"
        data_dir = Path(env.get("COALITION_DATA_DIR", "") or DATA_DIR)
        oidc_role = env.get("COALITION_OIDC_DEFAULT_ROLE", "").strip().lower()
        if oidc_role not in ("", "viewer"):
            raise ValueError("COALITION_OIDC_DEFAULT_ROLE may only be empty or 'viewer'")
        return cls(
            database_url=normalise_database_url(url),
            data_dir=data_dir,
            anonymous_read=_flag(env.get("COALITION_ANONYMOUS_READ")),
            admin_email=(env.get("COALITION_ADMIN_EMAIL", "") or "admin@localhost").lower(),
            oidc_default_role=oidc_role or None,
            session_idle_hours=_positive(env, "COALITION_SESSION_IDLE_HOURS", 8, most=24 * 366),
            session_max_days=_positive(env, "COALITION_SESSION_MAX_DAYS", 7, most=366),
            trust_forwarded_for=_flag(env.get("COALITION_TRUST_FORWARDED_FOR")),
            stale_after_days=_positive(env, "COALITION_STALE_AFTER_DAYS", 60, most=3660),
            base_url=_base_url(env.get("COALITION_BASE_URL", "")),
            # Checked where it is used (python -m coalition digest send), so that a mistake in
            # it names itself there and never stops the app from starting.
            smtp_url=env.get("COALITION_SMTP_URL", "").strip() or None,
            mail_from=env.get("COALITION_MAIL_FROM", "").strip() or None,
            cache_dir=_cache_dir(env.get("COALITION_CACHE_DIR", "")),
        )


def get_settings() -> Settings:
    return Settings.from_env()
