"""Durations as people type them, and as GNU ``timeout`` reads them.

``30``, ``30s``, ``1.5m``, ``250ms`` and exitkit's compounds (``1h30m``), plus everything GNU
``timeout`` accepts: a leading ``+``, exponents (``2.34e+5d``), hexadecimal (``0x10``), ``inf``.
As in GNU, a value too small for a double rounds *up* to the smallest positive one (``1e-10000``
times out at once, it is not "no timeout"), a value too large is infinite (no effective limit),
``-0`` is zero, and any other negative value is a mistake.

On ``exitkit run``'s start-up path, so it is hand-parsed: no ``re`` import.
"""

from __future__ import annotations

#: Units from largest to smallest; in a compound duration each may appear once, in this order
#: (``1h30m`` and ``1m30s`` but not ``30s1m`` or ``1m1m``). ``d`` as in GNU timeout.
_UNITS: tuple[tuple[str, float], ...] = (
    ("d", 86400.0),
    ("h", 3600.0),
    ("m", 60.0),
    ("s", 1.0),
    ("ms", 0.001),
)
_RANK = {unit: rank for rank, (unit, _) in enumerate(_UNITS)}
_SECONDS = dict(_UNITS)
_DIGITS = frozenset("0123456789")
_HEX = frozenset("0123456789abcdefABCDEF")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_SPACE = " \t\n\v\f\r"
#: The smallest positive double: what a positive value too small to represent becomes.
TINY = 5e-324
INFINITY = float("inf")


def parse_duration(text: str) -> float:
    """Return *text* in seconds: a number of seconds, or ``<number><unit>`` parts, largest first.

    Units are ``d h m s ms``. ``0`` (and ``-0``) returns 0.0, ``inf`` or anything too large
    returns infinity: what those mean is the caller's business. Anything else raises
    ``ValueError``.
    """
    source = text.lstrip(_SPACE)  # strtod skips leading white space; GNU then allows no more
    negative = source.startswith("-")
    if source[:1] in ("+", "-"):
        source = source[1:]
    total = 0.0
    nonzero = False
    last_rank = -1
    pos = 0
    while pos < len(source):
        start = pos
        value, pos, digits = _number(source, pos)
        if pos == start:
            raise _invalid(text)
        nonzero = nonzero or digits
        unit_start = pos
        while pos < len(source) and source[pos] in _LETTERS:
            pos += 1
        unit = source[unit_start:pos]
        if not unit:
            if start != 0 or pos != len(source):  # a bare number must be the whole duration
                raise _invalid(text)
            unit = "s"
        rank = _RANK.get(unit)
        if rank is None or rank <= last_rank:
            raise _invalid(text)
        last_rank = rank
        total += value * _SECONDS[unit]
    if last_rank < 0 or total != total:  # empty, or inf - inf
        raise _invalid(text)
    if negative and nonzero:
        raise _invalid(text)
    if negative:
        return 0.0
    if total == 0.0 and nonzero:
        return TINY  # "never sleep less than asked"
    return total


def _number(source: str, pos: int) -> tuple[float, int, bool]:
    """The number at *pos*: (its value, where it ends, whether a digit of it is not zero). It
    ends where it starts when there is none."""
    if source[pos:pos + 3].lower() == "inf":
        end = pos + (8 if source[pos:pos + 8].lower() == "infinity" else 3)
        return INFINITY, end, True
    if source[pos:pos + 2] in ("0x", "0X"):
        return _hexadecimal(source, pos)
    end = pos
    while end < len(source) and source[end] in _DIGITS:
        end += 1
    if end < len(source) and source[end] == ".":
        end += 1
        while end < len(source) and source[end] in _DIGITS:
            end += 1
    mantissa = source[pos:end]
    if not set(mantissa) & _DIGITS:
        return 0.0, pos, False
    end = _exponent(source, end, "eE", _DIGITS)
    return float(source[pos:end]), end, bool(set(mantissa) - {"0", "."})


def _hexadecimal(source: str, pos: int) -> tuple[float, int, bool]:
    end = pos + 2
    while end < len(source) and source[end] in _HEX:
        end += 1
    if end < len(source) and source[end] == ".":
        end += 1
        while end < len(source) and source[end] in _HEX:
            end += 1
    mantissa = source[pos + 2:end]
    if not set(mantissa) & _HEX:
        return 0.0, pos, False
    end = _exponent(source, end, "pP", _DIGITS)
    try:
        value = float.fromhex(source[pos:end])
    except OverflowError:
        value = INFINITY
    return value, end, bool(set(mantissa) - {"0", "."})


def _exponent(source: str, end: int, marks: str, digits: frozenset[str]) -> int:
    """Where the number ending at *end* ends once an exponent (``e+5``, ``p4``) is counted."""
    if end < len(source) and source[end] in marks:
        after = end + 1
        if after < len(source) and source[after] in "+-":
            after += 1
        stop = after
        while stop < len(source) and source[stop] in digits:
            stop += 1
        if stop > after:
            return stop
    return end


def _invalid(text: str) -> ValueError:
    return ValueError(
        f"invalid duration '{text}': use a number of seconds or units like 30s, 1.5m, 1h30m"
    )
