"""What an exit status means: a contract's entry, the shell's conventions, signal deaths."""

from __future__ import annotations

from exitkit.contracts.loader import load, load_builtin
from exitkit.contracts.model import Contract, ErrorCode, ExitCode, OutcomeRow, parse_code
from exitkit.errors import ExitkitError
from exitkit.text import quoted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Explanation:
    """Everything exitkit knows about one code, name or string error code.

    ``exit`` is the contract's entry (if a contract was given and defines it), ``error`` the string
    error code that was asked about, ``outcome`` the outcome row (told apart by stderr) that was
    asked about, ``shell`` the shell convention for the same number, and
    ``signal``/``signal_name`` the decoded signal of a 128+N status.
    """

    __slots__ = ("code", "contract", "error", "exit", "outcome", "query", "shell", "signal",
                 "signal_name")

    def __init__(self, query: str, contract: Contract | None) -> None:
        self.query = query
        self.contract = contract
        self.code: int | None = None
        self.exit: ExitCode | None = None
        self.error: ErrorCode | None = None
        self.outcome: OutcomeRow | None = None
        self.shell: ExitCode | None = None
        self.signal: int | None = None
        self.signal_name: str | None = None

    @property
    def known(self) -> bool:
        """False when neither the contract nor the shell conventions say anything about it."""
        if self.contract is not None:
            return self.exit is not None or self.outcome is not None
        return self.code is not None

    @property
    def refined_by(self) -> list[OutcomeRow]:
        """The contract's outcomes that tell this exit apart by a line of stderr."""
        if self.contract is None or self.exit is None:
            return []
        return [o for o in self.contract.outcomes if self.exit.code in o.codes]

    def lines(self) -> list[str]:
        out: list[str] = []
        if self.outcome is not None and self.contract is not None:
            return self.outcome_lines(self.contract, self.outcome)
        if self.error is not None and self.contract is not None:
            out.append(f"{self.contract.name} error {self.error.code}: {self.error.meaning}")
            if self.error.hint:
                out.append(f"  hint: {self.error.hint}")
            if self.exit is not None:
                out.append(f"  exits with {self.exit.code} ({self.exit.name})")
        if self.exit is not None and self.contract is not None:
            e = self.exit
            out.append(f"{self.contract.name} {e.code} {e.name} ({e.kind}): {e.meaning}")
            if e.when:
                out.append(f"  when: {e.when}")
            if e.recovery:
                out.append(f"  recovery: {e.recovery}")
            out.append(f"  retryable: {'yes' if e.retryable else 'no'}")
            refined = self.refined_by
            if refined:
                out.append("  told apart by stderr: " + ", ".join(o.name for o in refined)
                           + f" (exitkit explain -c {self.contract.name} NAME)")
        elif self.contract is not None:
            out.append(f"{self.query} is not defined by {self.contract.name}'s contract")
        if self.code is None:
            return out
        if self.signal is not None:
            name = self.signal_name or "unknown on this platform"
            line = f"killed by signal {self.signal} ({name})"
            out.append(f"shell: {self.code} = {line}" if out else f"{self.code}: {line}")
        elif self.shell is not None:
            text = f"{self.shell.name} ({self.shell.kind}): {self.shell.meaning}"
            out.append(f"shell: {self.code} = {text}" if out else f"{self.code} {text}")
        elif not out:
            out.append(f"{self.code}: no shell convention; the program's own meaning")
        return out

    @staticmethod
    def outcome_lines(contract: Contract, o: OutcomeRow) -> list[str]:
        refines = ", ".join(
            f"{code} ({exit.name})" if (exit := contract.lookup(code)) is not None else str(code)
            for code in o.codes)
        out = [f"{contract.name} {o.name} ({o.kind}): {o.meaning}",
               f"  refines exit {refines} when a line of stderr matches: {o.pattern}"]
        if o.when:
            out.append(f"  when: {o.when}")
        if o.recovery:
            out.append(f"  recovery: {o.recovery}")
        out.append(f"  retryable: {'yes' if o.retryable else 'no'}")
        out.append(f"  a script's $? cannot see it: exitkit run --ok {o.name} -- "
                   f"{contract.match.describe() if contract.match else contract.name} … "
                   "reads stderr for it")
        return out

    def shell_reading(self) -> str | None:
        """How a shell reads the number, in words (``killed by signal 9 (SIGKILL)``), if it
        has a reading."""
        if self.signal is not None:
            return f"killed by signal {self.signal} ({self.signal_name or 'unknown here'})"
        if self.shell is not None:
            return f"{self.shell.name}: {self.shell.meaning}"
        return None

    def __str__(self) -> str:
        """The lines for a terminal: contract text escaped onto one line each
        (:func:`exitkit.text.escape`)."""
        from exitkit.text import escape

        return "\n".join(escape(line) for line in self.lines())

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "code": self.code,
            "contract": self.contract.name if self.contract else None,
            "exit": self.exit.to_dict() if self.exit else None,
            "error": self.error.to_dict() if self.error else None,
            "outcome": self.outcome.to_dict() if self.outcome else None,
            "refined_by": [o.name for o in self.refined_by],
            "shell": self.shell.to_dict() if self.shell else None,
            "signal": self.signal,
            "signal_name": self.signal_name,
        }


def _as_status(text: str) -> int | None:
    """``"137"`` → 137, or None for a name. A number that is not a status as the one rule writes
    it (:func:`~exitkit.contracts.model.parse_code`: ``05``, `` 5``, ``-1``, ``256``) is a
    mistake: the shell would read ``exit 256`` as 0, and no command can exit with it."""
    code = parse_code(text)
    if code is not None:
        return code
    if text.strip().lstrip("+-").isdigit():
        raise ExitkitError("usage", f"{quoted(text)} is not an exit status: statuses are 0..255, "
                           "written without sign, spaces or leading zeros",
                           hint="a shell reads exit 256 as 0 and exit -1 as 255")
    return None


def _conventional(word: str, shell: Contract) -> int | None:
    """The status a shell convention name (``not-executable``, ``SIGKILL`` in any case) or a
    signal name (``KILL``, ``usr1``: the status of a death by it, 128+N) stands for."""
    named = shell.lookup(word) or shell.lookup(word.lower())
    if named is not None:
        return named.code
    if word.strip().isdigit():
        return None
    from exitkit.signals import death_status, parse_signal

    try:
        return death_status(parse_signal(word))
    except ValueError:
        return None


def explain(code: int | str, contract: Contract | str | None = None) -> Explanation:
    """Explain an exit status, exit name or (with a contract) string error code.

    ``explain(137)`` decodes the signal; ``explain(5, "proxxx")`` gives proxxx's entry;
    ``explain("REPO_NOT_CLONED", "raid")`` gives the error code, its hint and its exit. Raises
    :class:`~exitkit.errors.ExitkitError` for an unknown contract.
    """
    if isinstance(contract, str):
        contract = load(contract)
    query = str(code)
    result = Explanation(query, contract)
    number = _as_status(query)
    if contract is not None:
        if number is not None:
            result.exit = contract.lookup(number)
        else:
            result.exit = contract.lookup(query)
            if result.exit is None:
                result.outcome = contract.outcome(query)
                if result.outcome is not None:
                    return result  # no single number: it refines codes by what was said
                result.error = contract.lookup_error(query)
                if result.error is not None:
                    result.exit = contract.exit_of(result.error)
            if result.exit is not None:
                number = result.exit.code
    shell = load_builtin("shell")
    if number is None:
        number = _conventional(query, shell)
        if number is None:
            if contract is None:
                raise ExitkitError(
                    "not-found",
                    f"{quoted(query)} is not an exit status, a shell convention or a signal name",
                    hint="give a number 0..255, a name such as 'not-executable', a signal such "
                         "as KILL, or -c CONTRACT",
                )
            return result
    result.code = number
    result.shell = shell.lookup(number)
    from exitkit.signals import signal_in_status, signal_name

    result.signal = signal_in_status(number)  # 255 is "out of range", not signal 127
    if result.signal is not None:
        result.signal_name = signal_name(result.signal)
    return result
