"""Quoting for generated shell code: one function per shell family.

Every string that comes from a contract goes through one of these before it lands in generated
code, so that ``$(…)``, backticks, quotes, backslashes, newlines and glob characters come out
literally and run nothing. Identifiers are never quoted into place: :func:`identifier` checks
them instead.
"""

from __future__ import annotations

# Words made only of these need no quotes in any supported shell, in any position we use them
# (arguments, case patterns): no glob, expansion, tilde, brace, history or zsh ``=cmd`` characters.
_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_IDENT_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_IDENT = _IDENT_START | frozenset("0123456789")


def _check_text(text: str) -> None:
    if "\0" in text:
        raise ValueError(f"a shell string cannot hold a NUL character: {text!r}")


def quote_posix(text: str) -> str:
    """Quote *text* as one word for sh, bash and zsh: ``it's`` → ``'it'\\''s'``.

    Inside POSIX single quotes every character is literal, so only ``'`` needs handling; it becomes
    ``'\\''`` (close, escaped quote, reopen). A closing quote is never followed by another quote, so
    zsh's ``RC_QUOTES`` option cannot change the meaning either. Raises ValueError for NUL.
    """
    _check_text(text)
    if text and set(text) <= _BARE:
        return text
    return "'" + text.replace("'", "'\\''") + "'"


def quote_zsh(text: str) -> str:
    """Quote *text* as one word for zsh, whatever the user's options.

    As :func:`quote_posix`, except for text holding a line break: zsh's ``CSH_JUNKIE_QUOTES``
    (``emulate csh``) refuses a newline inside ``'…'``, so such text becomes ``$'…'`` with
    ``\\n``, ``\\r``, ``\\\\`` and ``\\'`` escapes, which every zsh parses the same way.
    Raises ValueError for NUL.
    """
    _check_text(text)
    if "\n" not in text and "\r" not in text:
        return quote_posix(text)
    escapes = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r"}
    return "$'" + "".join(escapes.get(ch, ch) for ch in text) + "'"


def quote_fish(text: str) -> str:
    """Quote *text* as one word for fish: ``it's`` → ``'it\\'s'``.

    fish's single quotes are not POSIX ones: ``\\\\`` and ``\\'`` are escapes inside them, so both
    characters are escaped (everything else, newlines included, is literal). Raises ValueError for
    NUL.
    """
    _check_text(text)
    if text and set(text) <= _BARE:
        return text
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish_pattern_is_literal(text: str) -> bool:
    """True when *text* can be a fish ``case`` pattern that matches only itself.

    fish's ``case`` treats ``*`` and ``?`` as wildcards even when quoted, and gives ``\\`` a meaning
    in front of them (and ``?`` stops being a wildcard with the ``qmark-noglob`` feature, default in
    fish 4), so strings holding any of the three must be compared another way.
    """
    return not (set(text) & {"*", "?", "\\"})


def identifier(text: str) -> str:
    """Return *text* if it is a portable shell identifier (``[A-Za-z_][A-Za-z0-9_]*``).

    Raises ValueError otherwise: identifiers are built from validated names, never quoted into
    place.
    """
    if not text or text[0] not in _IDENT_START or not set(text) <= _IDENT:
        raise ValueError(f"not a shell identifier: {text!r}")
    return text
