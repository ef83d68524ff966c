"""How names and codes are written: contract, exit and outcome names are kebab-case, shell
constants are identifiers, exit codes are what a shell prints as ``$?``. A leaf module: finding a
contract on the search path, or reading ``--ok 5``, checks a name or a number without loading the
contract model."""

from __future__ import annotations

_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_LOWER_DIGIT = _LOWER | frozenset("0123456789")
_IDENT_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_IDENT = _IDENT_START | frozenset("0123456789")


def is_kebab(text: str) -> bool:
    """True for ``not-found``, ``http2``, ``a-b-c``: lower-case words joined by single hyphens."""
    if not text or text[0] not in _LOWER:
        return False
    return all(part and set(part) <= _LOWER_DIGIT for part in text.split("-"))


def is_identifier(text: str) -> bool:
    """True when *text* is a portable shell identifier: ``[A-Za-z_][A-Za-z0-9_]*``."""
    return bool(text) and text[0] in _IDENT_START and set(text) <= _IDENT


#: Exit codes are 0..MAX_CODE: what a process can hand its parent (exit(2) keeps the low 8 bits).
MAX_CODE = 255

_DIGITS = frozenset("0123456789")


def is_code(value: object) -> bool:
    """True for an ``int`` exit code 0..255 (``True`` and ``False`` are not codes)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_CODE


def parse_code(text: str) -> int | None:
    """The exit code *text* writes, or ``None``: the one rule for numbers everywhere.

    A code is written as a shell prints ``$?``: decimal ASCII digits without sign, spaces or
    leading zeros, 0..255. So ``"5"`` → 5, while ``"05"``, ``" 5"``, ``"+5"``, ``"-1"``, ``"256"``
    and ``"²"`` are not codes. The generated shell helpers follow the same rule (their ``case``
    patterns are the codes as written here).
    """
    if not text or len(text) > 3 or not set(text) <= _DIGITS:
        return None
    if len(text) > 1 and text[0] == "0":
        return None
    value = int(text)
    return value if value <= MAX_CODE else None
