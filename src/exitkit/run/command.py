"""``exitkit run``: its command line (:data:`COMMAND`), and from the parsed command line to the
status exitkit exits with.

The pieces: the options (:mod:`~exitkit.run.options`), the contract (one resolver for every caller:
:func:`~exitkit.contracts.resolve.contract_for`), the policy (:mod:`~exitkit.run.policy`), the
attempts (:mod:`~exitkit.run.runner`) and the reporters (:mod:`~exitkit.run.report`). Every
mistake of exitkit's exits 125, never 2, so that no status of exitkit's can be mistaken for the
command's own.
"""

from __future__ import annotations

from exitkit.cli.parse import Argument, Command, Option
from exitkit.errors import ExitkitError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from exitkit.cli.parse import Parsed
    from exitkit.contracts.model import Contract

RUN_STATUS = """\
Exit status:
  CMD's own status (0-255), unchanged; 128+N when CMD was killed by signal N
  (exitkit dies of the same signal); 0 for a code tolerated by --ok; 124 on
  timeout (also when CMD had to be killed); 125 exitkit run itself failed (bad
  option, unknown contract or name); 126 CMD found but not executable; 127 CMD
  not found."""

#: ``exitkit run``'s command line, as the command table (:mod:`exitkit.cli.spec`) lists it.
COMMAND = Command(
    "run", "Run a command with exact exit codes, tolerance, timeouts and retries",
    "Run CMD and exit with its exit status, unchanged. Tolerate chosen codes, stop it after a "
    "timeout, retry transient failures, and report to GitHub Actions. CMD's arguments are "
    "passed as a list (no shell); its stdin, stdout, stderr and terminal are its own "
    "(its stderr passes through exitkit, byte for byte, only to tell an outcome apart).",
    options=(
        Option(("-c", "--contract"), "contract", "Contract for CMD's codes (default: the "
               "contract that matches CMD).", value="contract", metavar="NAME|FILE"),
        Option(("--ok",), "ok", "Treat these codes as success (repeatable, comma lists: "
               "5,7-9,auth). A name or kind may be an outcome the contract tells apart by "
               "stderr (kubectl's not-found): then CMD's stderr is read, and the outcome "
               "holds only if every error it printed is one of those named.",
               value="codes", metavar="CODE|RANGE|NAME|KIND", repeat=True),
        Option(("--timeout",), "timeout", "Stop CMD after DURATION (30, 30s, 1.5m, 1h30m) and "
               "exit 124.", value="duration"),
        Option(("--max-time",), "max_time", "Bound the whole run, every attempt and "
               "backoff included; exit 124 if an attempt is still running then.",
               value="duration"),
        Option(("--signal",), "signal", "Signal sent on timeout, and to CMD if exitkit is "
               "killed (default TERM).", value="signal", metavar="SIG"),
        Option(("--kill-after",), "kill_after", "Send KILL this long after SIG if CMD is "
               "still there (default 5s; 0: never).", value="duration"),
        Option(("--retries",), "retries", "Retry up to N times on a retryable failure.",
               value="number", metavar="N"),
        Option(("--retry-on",), "retry_on", "What to retry (default: the contract's "
               "retryable codes, or any failure without a contract). 124, 126, 127 and deaths "
               "by HUP, INT, QUIT, KILL or TERM only when given as numbers. No retry follows "
               "a signal sent to exitkit, or the death of the shell that started it. An "
               "outcome told apart by stderr (kubectl's too-many-requests) is read as for "
               "--ok.",
               value="codes", metavar="CODE|NAME|KIND", repeat=True),
        Option(("--backoff",), "backoff", "First retry delay; doubles each time, full "
               "jitter (default 1s).", value="duration"),
        Option(("--max-backoff",), "max_backoff", "Upper bound of one delay (default 60s).",
               value="duration"),
        Option(("--report",), "report", "Write a JSON report of the run to FILE.",
               value="file"),
        Option(("--ci",), "ci", "CI integration: auto (GitHub Actions when "
               "GITHUB_ACTIONS=true), github or none.", value="ci", metavar="auto|github|none"),
        Option(("--github",), "github", "The same as --ci github."),
        Option(("--no-github",), "github", "The same as --ci none.", flag=False),
        Option(("-q", "--quiet"), "quiet", "Silence exitkit's own lines (never CMD's output)."),
        Option(("--as",), "display", "Name CMD by this command line in messages, reports "
               "and annotations, and pick the contract from it (its first line, when CMD "
               "runs a script).", value="value", metavar="CMDLINE"),
    ),
    arguments=(Argument("argv", "CMD [ARG...]", "The command and its arguments.",
                        value="command", count="*"),),
    examples=("exitkit run --ok not-found -- proxxx delete 100 --yes",
              "exitkit run --timeout 2m --retries 5 --backoff 2s -- bcdock env wait ci",
              "exitkit run --report run.json -- make test"),
    epilog=RUN_STATUS,
    error="run-failed",
    stop_at_argument=True,
)


def main(parsed: Parsed) -> int:
    """``exitkit run``: returns the status to exit with (or dies of the child's signal)."""
    from exitkit.run import policy
    from exitkit.run.options import from_parsed
    from exitkit.run.relay import SignalRelay
    from exitkit.run.report import reporters, tell
    from exitkit.run.runner import Runner

    # First, before anything can fail or take time: from here on no signal is lost.
    relay = SignalRelay()
    if relay.install():
        from exitkit.errors import interrupt_stderr_writes

        interrupt_stderr_writes(relay.write_until_stopped)
    try:
        opts = from_parsed(parsed)
        contract = resolve_contract(opts.shown, opts.contract)
        ok = policy.codes("--ok", opts.ok, contract)
        retry_on = policy.retry_codes(opts, contract)
        retry_outcomes = policy.retry_outcomes(opts, contract)
    except ExitkitError as err:
        return fail(err, parsed)
    if opts.github:
        from exitkit.errors import guard_workflow_commands

        guard_workflow_commands()
    sinks = reporters(opts)
    runner = Runner(opts, contract, ok, retry_on, sinks, relay, retry_outcomes)
    _started()
    result = runner.run()
    late = relay.stop_signal()
    if late is not None and result.cause != "stopped":
        result = runner.stopped_late(late)  # in the instant after the last look: not lost
    tell(sinks, "finished", result)
    late = relay.stop_signal()
    if late is not None and result.cause != "stopped":  # while reporting: still not lost
        from exitkit.run.outcome import die_of

        die_of(late)
    if result.cause == "stopped" and result.signal is not None:
        from exitkit.run.outcome import die_of

        die_of(result.signal)  # a stop signal outside an attempt: end by it, as without exitkit
    last = runner.last.outcome if runner.last is not None else None
    if result.outcome == "signal" and last is not None:
        from exitkit.run.outcome import exit_like

        exit_like(last)  # dies of the child's signal, as the child did
    return result.exit_code


def _started() -> None:
    """Start-up is over: garbage collection, which the console script turned off for it
    (:mod:`exitkit._entry`), comes back on. What start-up created is frozen, never examined: it
    lives as long as the process."""
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def fail(err: ExitkitError, parsed: Parsed) -> int:
    """exitkit run cannot run the command: one line on stderr, and in a GitHub job also an
    annotation and every step output, so that a later ``if:`` never reads an empty string."""
    from exitkit.errors import guard_workflow_commands, report
    from exitkit.run.options import ci_mode

    if ci_mode(parsed) == "github":
        from exitkit.run.report.github import publish_error

        guard_workflow_commands()
        publish_error(err)
    status = report(err)
    path = parsed.text("report")
    if path is not None:  # a report left by an earlier run must not stand for this one
        from exitkit.run.report.jsonfile import write_error_report

        write_error_report(path, err, parsed.words("argv"))
    return status


def resolve_contract(argv: list[str], explicit: str | None) -> Contract | None:
    """The contract for *argv*; any failure to load one is exitkit run's own (125)."""
    from exitkit.contracts.resolve import contract_for

    try:
        return contract_for(argv, explicit)
    except ExitkitError as err:
        raise ExitkitError("run-failed", err.message, err.hint) from None


