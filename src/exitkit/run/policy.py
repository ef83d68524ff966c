"""What a status means for ``exitkit run``: which codes --ok tolerates, which --retry-on retries,
and the verdict on a finished attempt. Pure decisions: no process, no output.
"""

from __future__ import annotations

from exitkit._status import COMMAND_NOT_FOUND, NOT_EXECUTABLE, TIMEOUT
from exitkit.run.options import quoted, usage
from exitkit.signals import death_status

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal as _signal

    from exitkit.contracts.model import Contract, ExitCode, OutcomeRow
    from exitkit.run.options import Options
else:
    try:
        import _signal  # the C module behind `signal`, without its enum import
    except ImportError:  # not CPython
        import signal as _signal

#: Signals people and supervisors stop things with; exitkit never retries after one was sent to it.
STOP_SIGNALS = tuple(int(getattr(_signal, name)) for name in ("SIGHUP", "SIGINT", "SIGQUIT",
                                                              "SIGTERM"))
#: Statuses that only a number can select for --retry-on (never a name, a kind or the default):
#: exitkit's own timeout, "cannot run", and deaths by the stop signals and KILL.
BY_NUMBER_ONLY = frozenset(
    {TIMEOUT, NOT_EXECUTABLE, COMMAND_NOT_FOUND}
    | {death_status(n) for n in (*STOP_SIGNALS, int(_signal.SIGKILL))}
)

#: The verdicts on a run, as --report, the GitHub outputs and the docs name them.
OUTCOMES = ("success", "tolerated", "failure", "timeout", "signal")


class CodeSet:
    """Exit codes chosen on the command line, which of them were given as numbers, and the
    contract's outcomes (``[[outcome]]``, told apart by stderr) chosen by name or kind."""

    __slots__ = ("by_number", "codes", "outcomes")

    def __init__(self) -> None:
        self.codes: set[int] = set()
        self.by_number: set[int] = set()
        self.outcomes: set[str] = set()

    def __contains__(self, code: int) -> bool:
        return code in self.codes


def codes(option: str, items: list[str], contract: Contract | None) -> CodeSet:
    """``5``, ``7-9``, ``not-found`` (a name) or ``auth`` (a kind) → exit codes. Names and kinds
    are the contract's, or the shell's conventions without one."""
    from exitkit.contracts.names import MAX_CODE, parse_code

    chosen = CodeSet()
    for item in items:
        low, sep, high = item.partition("-")
        if _digits(item) or (sep and _digits(low) and _digits(high)):
            first, last = parse_code(low), parse_code(high if sep else low)
            if first is None or last is None or first > last:
                raise usage(f"{option}: {quoted(item)} is not a code or range within 0..{MAX_CODE}")
            chosen.codes.update(range(first, last + 1))
            chosen.by_number.update(range(first, last + 1))
            continue
        table = contract if contract is not None else _shell()
        found = table.select(item)
        heard = table.select_outcomes(item)
        if not found and not heard:
            whose = f"{table.name}'s contract" if contract is not None else (
                "the shell conventions (no contract for this command; pass -c)")
            raise usage(f"{option}: {quoted(item)} is neither a code, a name nor a kind in {whose}")
        chosen.codes.update(e.code for e in found)
        chosen.outcomes.update(o.name for o in heard)
    return chosen


def retry_outcomes(opts: Options, contract: Contract | None) -> set[str]:
    """The contract's outcomes (told apart by stderr) that --retry-on names by name or kind."""
    if not opts.retry_on or contract is None or not contract.outcomes:
        return set()
    return codes("--retry-on", opts.retry_on, contract).outcomes


def _digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts ``²``, which ``int`` refuses."""
    return text.isascii() and text.isdigit()


def retry_codes(opts: Options, contract: Contract | None) -> set[int]:
    """What to retry: --retry-on, else the contract's retryable codes, else any failure. A name
    or kind never selects a timeout, a command that cannot run, or a death by a stop signal."""
    if opts.retry_on:
        chosen = codes("--retry-on", opts.retry_on, contract)
        return (chosen.codes - BY_NUMBER_ONLY) | chosen.by_number
    if contract is not None:
        return {e.code for e in contract.exits if e.retryable} - BY_NUMBER_ONLY
    from exitkit.contracts.names import MAX_CODE

    return set(range(1, MAX_CODE + 1)) - BY_NUMBER_ONLY


def verdict(status: int, *, timed_out: bool, signal: int | None, ok: CodeSet,
            heard: OutcomeRow | None = None) -> str:
    """One of :data:`OUTCOMES` for an attempt that ended with *status*. --ok by name or kind never
    covers exitkit's own timeout: 124 is tolerated then only when given by number. *heard* is an
    outcome --ok accepts that holds by what the command said on stderr: it tolerates a failure,
    never a timeout or a signal."""
    if status == 0:
        return "success"
    if status in ok and (not timed_out or status in ok.by_number):
        return "tolerated"
    if timed_out:
        return "timeout"
    if signal is not None:
        return "signal"
    if heard is not None:
        return "tolerated"
    return "failure"


class Label:
    """:func:`label` for *code*, looked up when a reporter first asks: a run that succeeds
    quietly never loads the shell's table (``exitkit run -- true`` is on every hot path)."""

    __slots__ = ("code", "contract")

    def __init__(self, contract: Contract | None, code: int) -> None:
        self.contract = contract
        self.code = code

    def resolve(self) -> ExitCode | None:
        return label(self.contract, self.code)


def label(contract: Contract | None, code: int) -> ExitCode | None:
    """The row that names *code*: the contract's, else the shell's convention, else ``None``."""
    entry = contract.lookup(code) if contract is not None else None
    return entry if entry is not None else _shell().lookup(code)


def _shell() -> Contract:
    """The shell's conventions: the table for names and kinds when a command has no contract."""
    from exitkit.contracts.loader import load_builtin

    return load_builtin("shell")
