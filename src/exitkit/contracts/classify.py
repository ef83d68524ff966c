"""Outcomes from what a tool says: reading its stderr line by line, with bounded memory, to tell
which ``[[outcome]]`` rows of its contract hold.

A pure decision on bytes, with no process: ``exitkit run`` feeds it what the command writes on
stderr as the bytes pass (:mod:`exitkit.run.capture`), and asks at the end whether an outcome it
was told to accept holds. The rules (docs/contracts.md, "Outcomes from stderr"):

- a line ends at ``\\n`` or ``\\r``; ANSI escape sequences are removed; bytes that are not UTF-8
  read as U+FFFD; only the first :data:`LINE_CAP` characters of a line are looked at;
- an outcome holds for exit *status* when *status* is one of its codes, a line matched its
  pattern, and no error line is left unexplained: every line matching ``[stderr] errors`` (or,
  without that, every line matching any outcome's pattern) must match an outcome the caller
  accepts. ``kubectl delete pod a b c`` printing NotFound, Forbidden, NotFound is not not-found.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from exitkit.contracts.model import Contract, OutcomeRow

#: Characters of a line that patterns see; the rest of a longer line is skipped.
LINE_CAP = 8192
#: Characters of stderr's last lines kept for the report.
TAIL_CAP = 4096
#: Characters of a matched line kept for messages and reports.
QUOTE_CAP = 300

# CSI (colours, cursor), OSC (titles, links) ended by BEL or ST, and two-byte escapes.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]")


class Lines:
    """What one attempt of a command wrote on stderr, as far as its contract's outcomes care.

    Feed it bytes with :meth:`feed` as they arrive and call :meth:`close` at the end; memory stays
    within a line's cap and the tail, whatever the volume.
    """

    __slots__ = ("_any", "_errors", "_pending", "_rows", "_tail",
                 "_tail_size", "contract", "explanations", "lines", "matched")

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self._rows = [(row, re.compile(row.pattern)) for row in contract.outcomes]
        self._errors = [re.compile(p) for p in contract.stderr.errors]
        self._any = _any_of([pattern for _, pattern in self._rows] + self._errors)
        #: Outcome name → the first line that matched its pattern.
        self.matched: dict[str, str] = {}
        #: For each distinct set of outcomes that explains an error line: the first such line.
        self.explanations: dict[frozenset[str], str] = {}
        #: Lines seen.
        self.lines = 0
        #: The start of a line whose end has not arrived, held to the cap (see :meth:`_keep`).
        self._pending = bytearray()
        self._tail: list[str] = []
        self._tail_size = 0

    def feed(self, data: bytes) -> None:
        """Read *data*, the next bytes of stderr."""
        parts = data.replace(b"\r", b"\n").split(b"\n")  # a line ends at either
        last = parts.pop()
        if parts:
            if self._pending:
                self._keep(parts[0])
                parts[0] = bytes(self._pending)
                self._pending.clear()
            self._lines(parts)
        self._keep(last)

    def close(self) -> None:
        """stderr ended: a last line without a line end counts too."""
        if self._pending:
            self._lines([bytes(self._pending)])
            self._pending.clear()

    def _keep(self, part: bytes) -> None:
        """Keep the start of a line whose end has not arrived, up to the cap: what comes after a
        full start is dropped."""
        room = LINE_CAP * 4 - len(self._pending)  # a character is at most 4 bytes of UTF-8
        self._pending += part[:room]

    def _lines(self, lines: list[bytes]) -> None:
        """Complete lines: decoded together (a bad byte never spans a line end), escapes
        removed, each searched once for anything that matters."""
        text = b"\n".join(lines).decode("utf-8", "replace")
        if "\x1b" in text:
            text = _ANSI.sub("", text)
        found = text.split("\n")
        self.lines += len(found)
        self._remember(found)
        if self._any is None:
            return
        search = self._any
        for line in found:
            if search(line):
                self._line(line[:LINE_CAP])

    def _line(self, text: str) -> None:
        """A line that matched an outcome or an error pattern, or the start of a longer line that
        did (which may match nothing: then nothing is recorded)."""
        rows = frozenset(row.name for row, pattern in self._rows if pattern.search(text))
        for name in rows:
            self.matched.setdefault(name, text)
        is_error = any(p.search(text) for p in self._errors) if self._errors else bool(rows)
        if is_error:
            self.explanations.setdefault(rows, text)

    def _remember(self, lines: list[str]) -> None:
        """Keep the last lines, up to :data:`TAIL_CAP` characters."""
        size = 0
        kept: list[str] = []
        for line in reversed(lines):
            if not line:
                continue
            line = line[:TAIL_CAP]
            if size + len(line) + 1 > TAIL_CAP and kept:
                break
            kept.append(line)
            size += len(line) + 1
        if size >= TAIL_CAP:
            self._tail = kept[::-1]
            self._tail_size = size
            return
        self._tail.extend(reversed(kept))
        self._tail_size += size
        while self._tail_size > TAIL_CAP and len(self._tail) > 1:
            self._tail_size -= len(self._tail.pop(0)) + 1

    @property
    def tail(self) -> str:
        """The last lines of stderr (up to :data:`TAIL_CAP` characters), escapes removed."""
        return "\n".join(self._tail)

    def holds(self, status: int, accepted: Iterable[str]) -> OutcomeRow | None:
        """The first of the *accepted* outcomes (names) that holds for exit *status*, or None."""
        usable = {row.name for row in self.contract.outcomes
                  if row.name in accepted and status in row.codes}
        if not usable or any(not (rows & usable) for rows in self.explanations):
            return None
        return next((row for row in self.contract.outcomes
                     if row.name in usable and row.name in self.matched), None)

    def recognised(self, status: int) -> OutcomeRow | None:
        """The outcome that alone explains what the command said for exit *status*, whether or
        not the caller accepts it: what the report names (``forbidden`` rather than ``error``)."""
        for row in self.contract.outcomes:
            if row.name in self.matched and self.holds(status, (row.name,)) is not None:
                return row
        return None

    def unexplained(self, status: int, accepted: Iterable[str]) -> str | None:
        """The first error line that none of the *accepted* outcomes explains, or None."""
        usable = {row.name for row in self.contract.outcomes
                  if row.name in accepted and status in row.codes}
        return next((line for rows, line in self.explanations.items() if not rows & usable),
                    None)


def _any_of(patterns: list[re.Pattern[str]]) -> Callable[[str], object] | None:
    """A test for "some pattern matches this line", or None without patterns: one combined
    search (most lines match nothing) where the patterns combine without changing meaning, that
    is without groups (names and numbers would clash or shift) and without global flags
    (``(?i)`` must start a whole pattern); else each pattern in turn."""
    if not patterns:
        return None
    if all(p.groups == 0 for p in patterns):
        try:
            return re.compile("|".join(f"(?:{p.pattern})" for p in patterns)).search
        except re.error:  # a global inline flag: valid alone, not inside a group
            pass
    return lambda line: any(p.search(line) for p in patterns)


def quote(line: str, cap: int = QUOTE_CAP) -> str:
    """*line* shortened for a message or a report: at most *cap* characters, ``…`` marking a cut."""
    line = line.strip()
    return line if len(line) <= cap else line[: cap - 1] + "…"
