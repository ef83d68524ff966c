"""Durations as people type them: ``30``, ``30s``, ``1.5m``, ``1h30m``, ``250ms``.

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
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")


def parse_duration(text: str) -> float:
    """Return *text* in seconds: a number of seconds, or ``<number><unit>`` parts, largest first.

    Numbers are decimal, without sign or exponent; units are ``d h m s ms``. ``0`` is accepted and
    returns 0.0 (what zero means is the caller's business). Anything else raises ``ValueError``.
    """
    source = text.strip()
    total = 0.0
    last_rank = -1
    pos = 0
    while pos < len(source):
        start = pos
        while pos < len(source) and (source[pos] in _DIGITS or source[pos] == "."):
            pos += 1
        number = source[start:pos]
        unit_start = pos
        while pos < len(source) and source[pos] in _LETTERS:
            pos += 1
        unit = source[unit_start:pos]
        if not _is_decimal(number):
            raise _invalid(text)
        if not unit:
            if start != 0 or pos != len(source):  # a bare number must be the whole duration
                raise _invalid(text)
            unit = "s"
        rank = _RANK.get(unit)
        if rank is None or rank <= last_rank:
            raise _invalid(text)
        last_rank = rank
        total += float(number) * _SECONDS[unit]
    if last_rank < 0 or total != total or total == float("inf"):  # empty, nan or overflow
        raise _invalid(text)
    return total


def _is_decimal(number: str) -> bool:
    """``30``, ``1.5``, ``.5``, ``5.``: digits with at most one point, and at least one digit."""
    whole, _, fraction = number.partition(".")
    return bool(whole or fraction) and "." not in fraction


def _invalid(text: str) -> ValueError:
    return ValueError(
        f"invalid duration '{text}': use a number of seconds or units like 30s, 1.5m, 1h30m"
    )
