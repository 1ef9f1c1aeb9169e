"""Text that can be stored and read back as typed. Found in review: ESC, BEL, backspace, carriage
return and invisible marks were stored as typed, and a terminal listing them ran the escapes
(a title rewritten, a line overwritten)."""

from __future__ import annotations

import pytest

from coalition.text.checks import check_text


@pytest.mark.parametrize(
    ("character", "code"),
    [
        ("\x1b", "U+001B"),  # ESC: starts a terminal escape sequence
        ("\x07", "U+0007"),  # BEL
        ("\x08", "U+0008"),  # backspace: overwrites what was shown before it
        ("\r", "U+000D"),  # carriage return: overwrites the line
        ("\x01", "U+0001"),
        ("\x0b", "U+000B"),
        ("\x0c", "U+000C"),
        ("\x1f", "U+001F"),
        ("\x7f", "U+007F"),  # DEL
        ("\x80", "U+0080"),  # C1 controls: \x9b is a one-byte escape sequence start
        ("\x9b", "U+009B"),
        ("\x9f", "U+009F"),
    ],
)
def test_control_characters_are_refused_by_name(character, code):
    problem = check_text("description", f"Engineer{character}company")
    assert problem is not None and problem.field == "description"
    assert problem.message == f"contains a control character ({code}), which cannot be stored"


@pytest.mark.parametrize(
    ("character", "code"),
    [("\u200b", "U+200B"), ("\u200e", "U+200E"), ("\u200f", "U+200F"), ("\ufeff", "U+FEFF")],
)
def test_invisible_characters_are_refused_by_name(character, code):
    problem = check_text("source_title", f"UK{character} MoD")
    assert problem is not None and problem.field == "source_title"
    assert problem.message.startswith(f"contains an invisible character ({code})")


def test_the_nul_and_bidirectional_messages_stay_as_they_were():
    assert check_text("notes", "a\x00b").message == (
        "contains a NUL character (byte 0), which cannot be stored"
    )
    assert check_text("notes", "a\u202eb").message.startswith(
        "contains a bidirectional control character (U+202A-U+202E or U+2066-U+2069)"
    )


@pytest.mark.parametrize(
    "text",
    [
        "First line\nsecond line",
        "Column\tcolumn",
        "Київ, Україна",
        "الرياض",  # right-to-left text needs no marks
        "नमस्ते",  # joiners inside words are text, not controls
        "👩‍👩‍👧 family",  # zero-width joiner in an emoji
        "co\u00adoperation",  # soft hyphen
        "",
    ],
)
def test_ordinary_text_lines_and_tabs_pass(text):
    assert check_text("description", text) is None


def test_values_that_are_not_text_are_not_its_concern():
    assert check_text("quantity", 150) is None
    assert check_text("quantity", None) is None
