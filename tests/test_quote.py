"""shells/quote.py in-process: the exact words every contract string becomes in generated code.

The shells themselves execute these words in tests/test_shell_render.py; here each rule is pinned
to its exact output, so that a changed character in the quoting code fails a test.
"""

from __future__ import annotations

import pytest

from exitkit.shells.quote import (
    fish_pattern_is_literal,
    identifier,
    quote_fish,
    quote_posix,
    quote_zsh,
)

#: Every character that needs no quotes, and nothing else.
BARE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"
IDENT = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789"


@pytest.mark.parametrize(("text", "posix", "fish"), [
    ("not-found", "not-found", "not-found"),
    ("v1.2_3", "v1.2_3", "v1.2_3"),
    (BARE, BARE, BARE),
    ("", "''", "''"),
    ("a b", "'a b'", "'a b'"),
    ("it's", "'it'\\''s'", "'it\\'s'"),
    ("''", "''\\'''\\'''", "'\\'\\''"),
    ("back\\slash", "'back\\slash'", "'back\\\\slash'"),
    ("\\'", "'\\'\\'''", "'\\\\\\''"),
    ("$(touch x)", "'$(touch x)'", "'$(touch x)'"),
    ("`id`", "'`id`'", "'`id`'"),
    ("a\nb", "'a\nb'", "'a\nb'"),
    ("*", "'*'", "'*'"),
    ("~root", "'~root'", "'~root'"),
    ("=cmd", "'=cmd'", "'=cmd'"),
    ("{a,b}", "'{a,b}'", "'{a,b}'"),
    ("!!", "'!!'", "'!!'"),
    ("é", "'é'", "'é'"),
    ("a+b", "'a+b'", "'a+b'"),
    (BARE + " ", f"'{BARE} '", f"'{BARE} '"),
])
def test_each_string_becomes_exactly_one_word(text: str, posix: str, fish: str) -> None:
    assert quote_posix(text) == posix
    assert quote_fish(text) == fish


@pytest.mark.parametrize(("text", "zsh"), [
    ("not-found", "not-found"),
    ("it's", "'it'\\''s'"),  # no line break: as for POSIX
    ("a\nb", "$'a\\nb'"),
    ("a\rb", "$'a\\rb'"),
    ("\r\n", "$'\\r\\n'"),
    ("it's\n", "$'it\\'s\\n'"),
    ("back\\slash\n", "$'back\\\\slash\\n'"),
    ("$(x) `y` \t\x1b\n", "$'$(x) `y` \t\x1b\\n'"),  # other characters stay as they are
])
def test_zsh_writes_text_with_a_line_break_as_dollar_quotes(text: str, zsh: str) -> None:
    assert quote_zsh(text) == zsh
    if "\n" not in text and "\r" not in text:
        assert quote_zsh(text) == quote_posix(text)


@pytest.mark.parametrize("quote", [quote_posix, quote_fish, quote_zsh])
@pytest.mark.parametrize("text", ["\0", "a\0b", "end\0", "a\n\0"])
def test_nul_cannot_be_carried(quote: object, text: str) -> None:
    assert callable(quote)
    with pytest.raises(ValueError, match=r"^a shell string cannot hold a NUL character: '"):
        quote(text)


@pytest.mark.parametrize(("text", "literal"), [
    ("REPO_NOT_CLONED", True),
    ("", True),
    ("a b-c.d", True),
    ("ERR*", False),
    ("?", False),
    ("a\\b", False),
    ("[a]", True),  # fish's case has no bracket classes
])
def test_fish_patterns_with_wildcards_or_backslashes_are_not_literal(text: str,
                                                                    literal: bool) -> None:
    assert fish_pattern_is_literal(text) is literal


@pytest.mark.parametrize("text", ["PROXXX_EXIT_NOT_FOUND", "_x", "a1", IDENT, "Z"])
def test_identifiers_pass_through(text: str) -> None:
    assert identifier(text) == text


@pytest.mark.parametrize("text", ["", "1X", "A-B", "A B", "Ü", "A;B", "A\nB", IDENT + "-",
                                  "-" + IDENT])
def test_anything_else_is_not_an_identifier(text: str) -> None:
    with pytest.raises(ValueError, match=r"^not a shell identifier: "):
        identifier(text)
