"""``exitkit run``: options, contract, tolerance, retries, report and GitHub Actions output.

The child process itself is handled by :mod:`exitkit.run.supervise`; this module decides what its
exit status means. It is parsed by hand, not by typer: it wraps every CI step, so start-up must stay
close to the interpreter's own, and every mistake of exitkit's must exit 125 (never typer's 2), so
that no status of exitkit's can be mistaken for the child's.
"""

from __future__ import annotations

import os
import sys

from exitkit.errors import ExitkitError, status

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from exitkit.contracts.model import Contract, ExitCode
    from exitkit.run.supervise import Outcome

HELP = """\
Usage: exitkit run [OPTIONS] [--] CMD [ARG]...

  Run CMD and exit with its exit status, unchanged. Tolerate chosen codes, stop it after a
  timeout, retry transient failures, and report to GitHub Actions. CMD's arguments are passed as
  a list (no shell); its stdin, stdout, stderr and terminal are its own.

Options:
  -c, --contract NAME|FILE   Contract for CMD's codes (default: the contract named like CMD).
  --ok CODE|RANGE|NAME|KIND  Treat these codes as success (repeatable, comma lists: 5,7-9,auth).
  --timeout DURATION         Stop CMD after DURATION (30, 30s, 1.5m, 1h30m) and exit 124.
  --signal SIG               Signal sent on timeout (default TERM).
  --kill-after DURATION      Send KILL this long after SIG if CMD is still there (default 5s).
  --retries N                Retry up to N times on a retryable failure.
  --retry-on CODE|NAME|KIND  What to retry (default: the contract's retryable codes, or any
                             failure without a contract). 124, 126, 127 and deaths by HUP, INT,
                             QUIT, KILL or TERM only when given as numbers. No retry follows a
                             signal sent to exitkit, or the death of the shell that started it.
  --backoff DURATION         First retry delay; doubles each time, full jitter (default 1s).
  --max-backoff DURATION     Upper bound of one delay (default 60s).
  --report FILE              Write a JSON report of the run to FILE.
  --github / --no-github     GitHub Actions annotations and outputs (default: on when
                             GITHUB_ACTIONS=true).
  -q, --quiet                Silence exitkit's own lines (never CMD's output).
  -h, --help                 Show this message and exit.

Exit status:
  CMD's own status (0-255); 128+N when CMD was killed by signal N; 0 for a code tolerated by --ok;
  124 on timeout (also when CMD had to be killed); 125 exitkit run itself failed (bad option,
  unknown contract or name); 126 CMD not executable; 127 CMD not found.
"""

#: Options that take a value, and the Options attribute each fills.
VALUE_OPTIONS = {
    "-c": "contract", "--contract": "contract", "--ok": "ok", "--timeout": "timeout",
    "--signal": "signal", "--kill-after": "kill_after", "--retries": "retries",
    "--retry-on": "retry_on", "--backoff": "backoff", "--max-backoff": "max_backoff",
    "--report": "report",
}
#: Options without a value.
FLAG_OPTIONS = ("-q", "--quiet", "--github", "--no-github", "-h", "--help")
_REPEATABLE = ("ok", "retry_on")
#: Statuses that only a number can select for --retry-on (never a name, a kind or the default):
#: exitkit's own timeout, "cannot run", and deaths by the signals people and supervisors stop with.
_STOP_SIGNALS = (1, 2, 3, 9, 15)
_BY_NUMBER_ONLY = frozenset({124, 126, 127} | {128 + n for n in _STOP_SIGNALS})


class Options:
    """Parsed ``exitkit run`` options."""

    __slots__ = ("argv", "backoff", "contract", "github", "kill_after", "max_backoff", "ok",
                 "quiet", "report", "retries", "retry_on", "signal", "timeout")

    def __init__(self) -> None:
        self.argv: list[str] = []
        self.contract: str | None = None
        self.ok: list[str] = []
        self.timeout: float | None = None
        self.signal = 15
        self.kill_after: float | None = 5.0
        self.retries = 0
        self.retry_on: list[str] = []
        self.backoff = 1.0
        self.max_backoff = 60.0
        self.report: str | None = None
        self.github = os.environ.get("GITHUB_ACTIONS") == "true"
        self.quiet = False


def _usage(message: str) -> ExitkitError:
    return ExitkitError("run-failed", message, hint="see 'exitkit run --help'")


def _duration(option: str, text: str) -> float:
    from exitkit.run.durations import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise _usage(f"{option}: {exc}") from None


def parse_args(args: list[str]) -> Options | None:
    """Parse the options; ``None`` for ``--help``. Raises :class:`ExitkitError` (run-failed)."""
    opts = Options()
    raw: dict[str, list[str]] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            i += 1
            break
        if not arg.startswith("-") or arg == "-":
            break
        if arg in ("-h", "--help"):
            return None
        if arg in ("-q", "--quiet"):
            opts.quiet = True
        elif arg == "--github":
            opts.github = True
        elif arg == "--no-github":
            opts.github = False
        else:
            name, value = arg, None
            if arg.startswith("--") and "=" in arg:
                name, value = arg.split("=", 1)
            elif arg.startswith("-c") and len(arg) > 2 and not arg.startswith("--"):
                name, value = "-c", arg[2:]
            key = VALUE_OPTIONS.get(name)
            if key is None:
                raise _usage(f"no such option: {name}")
            if value is None:
                i += 1
                if i >= len(args):
                    raise _usage(f"{name} needs a value")
                value = args[i]
            if key in raw and key not in _REPEATABLE:
                raise _usage(f"{name} given twice")
            raw.setdefault(key, []).append(value)
        i += 1
    opts.argv = args[i:]
    if not opts.argv:
        raise _usage("no command to run", )
    for key, values in raw.items():
        value = values[-1]
        if key in _REPEATABLE:
            items = [item.strip() for v in values for item in v.split(",")]
            if any(not item for item in items):
                raise _usage(f"--{key.replace('_', '-')}: empty item in {values!r}")
            setattr(opts, key, items)
        elif key == "contract":
            opts.contract = value
        elif key == "report":
            opts.report = value
        elif key == "retries":
            if not _is_number(value) or len(value) > 6:
                raise _usage(f"--retries: expected a whole number up to 999999, got {value!r}")
            opts.retries = int(value)
        elif key == "signal":
            from exitkit.signals import parse_signal

            try:
                opts.signal = parse_signal(value)
            except ValueError as exc:
                raise _usage(f"--signal: {exc}") from None
        else:
            setattr(opts, key, _duration("--" + key.replace("_", "-"), value))
    if opts.timeout == 0:
        opts.timeout = None  # like GNU timeout: 0 disables the timeout
    return opts


def _is_number(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts ``²``, which ``int`` refuses."""
    return text.isascii() and text.isdigit()


def resolve_contract(opts: Options) -> Contract | None:
    """``-c``, else the contract named like CMD's basename, else ``None``."""
    from exitkit.contracts.loader import find, load

    try:
        if opts.contract is not None:
            return load(opts.contract)
        name = os.path.basename(opts.argv[0])
        if find(name) is None:
            return None
        try:
            return load(name)
        except ExitkitError as err:
            raise ExitkitError(
                "run-failed",
                f"contract {name!r}, picked by the command's name: {err.message}",
                hint=f"fix it ({err.hint or 'exitkit lint'}), or name another with -c",
            ) from None
    except ExitkitError as err:
        raise ExitkitError("run-failed", err.message, err.hint) from None


class CodeSet:
    """Exit codes chosen on the command line, and which of them were given as numbers."""

    __slots__ = ("by_number", "codes")

    def __init__(self) -> None:
        self.codes: set[int] = set()
        self.by_number: set[int] = set()

    def __contains__(self, code: int) -> bool:
        return code in self.codes


def _codes(option: str, items: list[str], contract: Contract | None) -> CodeSet:
    """``5``, ``7-9``, ``not-found`` (a name) or ``auth`` (a kind) → exit codes."""
    from exitkit.contracts.loader import load_builtin

    chosen = CodeSet()
    codes = chosen.codes
    for item in items:
        low, sep, high = item.partition("-")
        if _is_number(item) or (sep and _is_number(low) and _is_number(high)):
            if len(low) > 3 or len(high) > 3:
                raise _usage(f"{option}: {item!r} is not a code or range within 0..255")
            first, last = int(low), int(high if sep else low)
            if not 0 <= first <= last <= 255:
                raise _usage(f"{option}: {item!r} is not a code or range within 0..255")
            codes.update(range(first, last + 1))
            chosen.by_number.update(range(first, last + 1))
            continue
        table = contract if contract is not None else load_builtin("shell")
        found = table.select(item)
        if not found:
            whose = f"{table.name}'s contract" if contract is not None else (
                "the shell conventions (no contract for this command; pass -c)")
            raise _usage(f"{option}: {item!r} is neither a code, a name nor a kind in {whose}")
        codes.update(e.code for e in found)
    return chosen


def _label(contract: Contract | None, code: int) -> ExitCode | None:
    from exitkit.contracts.loader import load_builtin

    entry = contract.lookup(code) if contract is not None else None
    return entry if entry is not None else load_builtin("shell").lookup(code)


class Attempt:
    """What one run of the command ended with."""

    __slots__ = ("outcome", "spawn_error", "status")

    def __init__(self, status: int, outcome: Outcome | None, spawn_error: str | None) -> None:
        self.status = status
        self.outcome = outcome
        self.spawn_error = spawn_error


def _attempt(opts: Options, parent: int) -> Attempt:
    from exitkit.run.supervise import SpawnError, supervise

    try:
        outcome = supervise(opts.argv, timeout=opts.timeout, timeout_signal=opts.signal,
                            kill_after=opts.kill_after, parent=parent)
    except SpawnError as err:
        return Attempt(status(err.status_name), None, err.message)
    return Attempt(outcome.status, outcome, None)


def main(args: list[str]) -> int:
    """``exitkit run ARGS``: returns the status to exit with (or re-raises the child's signal)."""
    try:
        opts = parse_args(args)
        if opts is None:
            sys.stdout.write(HELP)
            return 0
        contract = resolve_contract(opts)
        ok = _codes("--ok", opts.ok, contract)
        retry_on = _retry_codes(opts, contract)
    except ExitkitError as err:
        from exitkit.errors import report

        return report(err)
    return Runner(opts, contract, ok, retry_on).run()


def _retry_codes(opts: Options, contract: Contract | None) -> set[int]:
    """What to retry: --retry-on, else the contract's retryable codes, else any failure. A name
    or kind never selects a timeout, a command that cannot run, or a death by a stop signal."""
    if opts.retry_on:
        chosen = _codes("--retry-on", opts.retry_on, contract)
        return (chosen.codes - _BY_NUMBER_ONLY) | chosen.by_number
    if contract is not None:
        return {e.code for e in contract.exits if e.retryable} - _BY_NUMBER_ONLY
    return set(range(1, 256)) - _BY_NUMBER_ONLY


class Runner:
    """Runs the attempts and turns the last one into exitkit's exit status and reports."""

    def __init__(self, opts: Options, contract: Contract | None, ok: CodeSet,
                 retry_on: set[int]) -> None:
        self.opts = opts
        self.contract = contract
        self.ok = ok
        self.retry_on = retry_on
        self.tool = contract.name if contract is not None else os.path.basename(opts.argv[0])
        # The shell that started us: its death stops the child and any further attempt.
        self.parent = os.getppid()

    def say(self, line: str) -> None:
        if not self.opts.quiet:
            from exitkit.errors import one_line, write_stderr

            # One line, always: contract text is untrusted and a raw newline in a CI log could
            # start a workflow command of its own.
            write_stderr(f"exitkit: {one_line(_text(line))}\n")

    def parent_gone(self) -> bool:
        return self.parent > 1 and os.getppid() != self.parent

    def describe(self, code: int) -> str:
        entry = _label(self.contract, code)
        return f"{code} ({entry.name})" if entry is not None else str(code)

    def run(self) -> int:
        import time

        start = time.monotonic()
        attempts = 0
        while True:
            attempts += 1
            attempt = _attempt(self.opts, self.parent)
            if not self._should_retry(attempt, attempts):
                break
            delay = self._delay(attempts)
            self.say(f"{self.tool} exited {self.describe(attempt.status)}; retrying in "
                     f"{delay:.1f}s (attempt {attempts + 1} of {self.opts.retries + 1})")
            if not self._sleep(delay):
                self.say("the calling shell went away; no further attempt")
                break
        duration = time.monotonic() - start
        return self.finish(attempt, attempts, duration)

    def _should_retry(self, attempt: Attempt, attempts: int) -> bool:
        if attempts > self.opts.retries or attempt.status == 0 or attempt.status in self.ok:
            return False
        outcome = attempt.outcome
        if outcome is not None and (
            outcome.parent_died or any(sig in _STOP_SIGNALS for sig in outcome.forwarded)
        ):
            return False  # someone asked us to stop: forwarding it is all we do
        if self.parent_gone():
            return False
        return attempt.status in self.retry_on

    def _sleep(self, delay: float) -> bool:
        """Sleep *delay* seconds; False as soon as the calling shell is gone."""
        import time

        end = time.monotonic() + delay
        while (left := end - time.monotonic()) > 0:
            time.sleep(min(left, 0.2))
            if self.parent_gone():
                return False
        return True

    def _delay(self, attempts: int) -> float:
        import random

        # 2**60 seconds is past any --max-backoff; a bigger exponent would overflow a float
        ceiling = min(self.opts.max_backoff, self.opts.backoff * 2 ** min(attempts - 1, 60))
        return random.uniform(0, ceiling)

    def finish(self, attempt: Attempt, attempts: int, duration: float) -> int:
        code = attempt.status
        outcome = attempt.outcome
        timed_out = outcome is not None and outcome.timed_out
        signal_number = outcome.signal if outcome is not None and not timed_out else None
        # --ok by name or kind never covers exitkit's own timeout: 124 then only by number.
        tolerated = code in self.ok and (not timed_out or code in self.ok.by_number)
        if code == 0:
            verdict = "success"
        elif tolerated:
            verdict = "tolerated"
        elif timed_out:
            verdict = "timeout"
        elif signal_number is not None:
            verdict = "signal"
        else:
            verdict = "failure"
        final = 0 if verdict in ("success", "tolerated") else code
        entry = _label(self.contract, code)
        if attempt.spawn_error is not None:
            self.say(attempt.spawn_error)
        elif verdict == "tolerated":
            self.say(f"{self.tool} exited {self.describe(code)}; tolerated by --ok")
        elif verdict == "timeout":
            after = self.opts.timeout
            why = "the calling shell went away" if outcome and outcome.parent_died else (
                f"timed out after {after:g}s" if after is not None else "timed out")
            self.say(f"{self.tool} stopped: {why}; exiting 124")
        elif verdict in ("failure", "signal") and entry is not None:
            text = f"{self.tool} exited {self.describe(code)}: {entry.meaning}"
            if entry.recovery:
                text += f" — {entry.recovery}"
            self.say(text)
        record = {
            "argv": [_text(arg) for arg in self.opts.argv],
            "contract": self.contract.name if self.contract is not None else None,
            "exit_code": final,
            "raw_exit_code": code,
            "name": entry.name if entry is not None else None,
            "kind": entry.kind if entry is not None else None,
            "meaning": entry.meaning if entry is not None else None,
            "recovery": entry.recovery if entry is not None else None,
            "signal": _signal_name(outcome.signal) if outcome and outcome.signal else None,
            "timed_out": timed_out,
            "attempts": attempts,
            "duration": round(duration, 3),
            "outcome": verdict,
        }
        try:
            if self.opts.report is not None:
                self._write_report(record)
            if self.opts.github:
                from exitkit.run.github import publish

                publish(record)
        except Exception as exc:  # reporting must never change the command's status
            self.say(f"could not report the result: {type(exc).__name__}: {exc}")
        if verdict == "signal" and outcome is not None:
            from exitkit.run.supervise import exit_like

            exit_like(outcome)
        return final

    def _write_report(self, record: Mapping[str, object]) -> None:
        import json

        try:
            with open(self.opts.report or "", "w", encoding="utf-8") as fh:
                json.dump(record, fh, indent=2, ensure_ascii=False)
                fh.write("\n")
        except OSError as exc:
            self.say(f"cannot write --report {self.opts.report}: {exc.strerror or exc}")


def _text(arg: str) -> str:
    """An argument as printable UTF-8: bytes that are not UTF-8 (surrogate-escaped) as ``\\xff``."""
    return arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _signal_name(number: int) -> str:
    from exitkit.signals import signal_name

    return signal_name(number) or str(number)
