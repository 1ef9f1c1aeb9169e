"""Passwords: how they are hashed (Argon2id), checked against a hash, and judged strong enough;
and the random ones the app makes."""

from __future__ import annotations

import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from coalition.errors import Problem, ValidationFailed
from coalition.text.checks import check_text

MIN_PASSWORD_LENGTH = 12
# zxcvbn's scale: 4 is at least 10^10 guesses. At 3 (10^8) a season or the app's name, a year
# and "!!" passed, and those are among the first guesses of anyone who targets this app.
MIN_PASSWORD_SCORE = 4
# Words an attacker of this app tries first, beside the account's own email.
APP_WORDS = ("coalition", "ukraine", "tracker", "coalition tracker", "admin", "localhost")

password_hasher = PasswordHasher()  # Argon2id with the library's current parameters
# Verified against when the email is unknown, so both paths cost the same time. The hash of a
# random password nobody kept, made with the parameters above (a test checks they still are):
# as a constant, because hashing it on import cost every process (each server start, each
# command) a full Argon2 run.
DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$ICiZctN7C6qci9VibirFSA"
    "$DvpgA5a39d0b4CAqc3doAqoEgrWNL9uxcn5cQQTekK4"
)


def check(password: str, email: str = "") -> None:
    """At least MIN_PASSWORD_LENGTH characters and not guessable: zxcvbn's estimate (which
    knows repeats, sequences, keyboard patterns and lists of common passwords, and is told the
    app's words and the email's) must reach MIN_PASSWORD_SCORE. The message says why, never the
    password."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            [Problem("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")]
        )
    if check_text("password", password) is not None:
        raise ValidationFailed([Problem("password", "contains a character that cannot be used")])
    email = email.lower()
    own_words = [email, *(part for part in re.split(r"[@.\-_+]", email) if part)]
    estimate = zxcvbn(password[:100], user_inputs=[*APP_WORDS, *own_words])
    if estimate["score"] < MIN_PASSWORD_SCORE:
        hint = estimate["feedback"].get("warning") or "it is too easy to guess"
        raise ValidationFailed(
            [
                Problem(
                    "password",
                    f"is too easy to guess ({hint.rstrip('.').lower()}): use a longer "
                    "passphrase of unrelated words",
                )
            ]
        )


def verify(password_hash: str, password: str) -> bool:
    try:
        return password_hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def random_password() -> str:
    return secrets.token_urlsafe(18)
