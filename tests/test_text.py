"""text.py: how untrusted text appears in exitkit's own lines, character by character."""

from __future__ import annotations

import os

import pytest

from exitkit.text import command_line, escape, is_plain, shell_word

#: Every character a shell word may hold unquoted.
PLAIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@%+=:,./_-"


@pytest.mark.parametrize(("text", "shown"), [
    ("Resource not found", "Resource not found"),
    ("C:\\path\\to", "C:\\path\\to"),  # nothing else escaped: backslashes read as written
    ("a\nb", "a\\nb"),
    ("a\rb", "a\\rb"),
    ("a\tb", "a\\tb"),
    ("\x1b[31mred\x1b[0m", "\\e[31mred\\e[0m"),
    ("bell\x07", "bell\\x07"),
    ("\x00", "\\x00"),
    ("\x1f", "\\x1f"),
    ("del\x7f", "del\\x7f"),
    ("csi\x9b2J", "csi\\x9b2J"),
    ("\x80", "\\x80"),
    ("\x9f", "\\x9f"),
    ("\xa0nbsp", "\xa0nbsp"),  # a printable character, shown as it is
    ("abc\u202edcba", "abc\\u202edcba"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
    ("\u200f", "\\u200f"),
    ("\ufeff", "\\ufeff"),
    ("\u061c", "\\u061c"),
    ("\u2066\u2069", "\\u2066\\u2069"),
    ("é ✓ 日本", "é ✓ 日本"),
    (os.fsdecode(b"caf\xe9"), "caf\\xe9"),
    (os.fsdecode(b"\xff\xfe"), "\\xff\\xfe"),
    (os.fsdecode(b"\x80"), "\\x80"),  # the first byte that is not UTF-8 on its own
    ("a\\b\nc", "a\\\\b\\nc"),  # once something is escaped, a backslash is too
    ("", ""),
])
def test_escape_shows_every_control_and_invisible_character(text: str, shown: str) -> None:
    assert escape(text) == shown
    assert is_plain(text) is (shown == text)


def test_escape_leaves_no_character_a_terminal_acts_on() -> None:
    everything = "".join(chr(n) for n in range(0x250)) + os.fsdecode(bytes(range(0x80, 0x100)))
    shown = escape(everything)
    assert all(ch >= " " and not "\x7f" <= ch <= "\x9f" for ch in shown)
    assert "\n" not in shown and "\x1b" not in shown


@pytest.mark.parametrize(("word", "shown"), [
    ("proxxx", "proxxx"),
    ("--ok=not-found", "--ok=not-found"),
    ("a/b.c_d@e%f+g:h,i", "a/b.c_d@e%f+g:h,i"),
    (PLAIN, PLAIN),
    ("", "''"),
    ("a b", "'a b'"),
    ("it's", "'it'\\''s'"),
    ("$HOME", "'$HOME'"),
    ("*", "'*'"),
    ("é", "'é'"),
    ("back\\slash", "'back\\slash'"),
    ("a\nb", "$'a\\nb'"),
    ("\x1b[31m", "$'\\e[31m'"),
    ("it's\n", "$'it\\'s\\n'"),
    ("a\\b\x07", "$'a\\\\b\\x07'"),
    (os.fsdecode(b"\xff"), "$'\\xff'"),
    ("##[error]forged", "'##[error]forged'"),
])
def test_shell_word_quotes_like_bash(word: str, shown: str) -> None:
    assert shell_word(word) == shown


def test_a_command_line_is_the_words_joined() -> None:
    assert command_line(["proxxx", "delete", "a b", "x\ny"]) == "proxxx delete 'a b' $'x\\ny'"
    assert command_line([]) == ""
