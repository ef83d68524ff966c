"""``exitkit run``: from the parsed command line to the status exitkit exits with.

The pieces: the options (:mod:`~exitkit.run.options`), the contract (one resolver for every caller:
:func:`~exitkit.contracts.resolve.contract_for`), the policy (:mod:`~exitkit.run.policy`), the
attempts (:mod:`~exitkit.run.runner`) and the reporters (:mod:`~exitkit.run.report`). Every
mistake of exitkit's exits 125, never 2, so that no status of exitkit's can be mistaken for the
command's own.
"""

from __future__ import annotations

from exitkit.errors import ExitkitError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from exitkit.cli.parse import Parsed
    from exitkit.contracts.model import Contract
    from exitkit.run.report import Reporter
    from exitkit.run.result import RunResult


def main(parsed: Parsed) -> int:
    """``exitkit run``: returns the status to exit with (or dies of the child's signal)."""
    from exitkit.run import policy
    from exitkit.run.options import from_parsed
    from exitkit.run.relay import SignalRelay
    from exitkit.run.report import reporters
    from exitkit.run.runner import Runner

    # First, before anything can fail or take time: from here on no signal is lost.
    relay = SignalRelay()
    relay.install()
    try:
        opts = from_parsed(parsed)
        contract = resolve_contract(opts.argv, opts.contract)
        ok = policy.codes("--ok", opts.ok, contract)
        retry_on = policy.retry_codes(opts, contract)
    except ExitkitError as err:
        from exitkit.errors import report

        return report(err)
    sinks = reporters(opts)
    runner = Runner(opts, contract, ok, retry_on, sinks, relay)
    result = runner.run()
    finish(result, sinks)
    if result.cause == "stopped" and result.signal is not None:
        from exitkit.run.outcome import die_of

        die_of(result.signal)  # a stop signal outside an attempt: end by it, as without exitkit
    last = runner.last.outcome if runner.last is not None else None
    if result.outcome == "signal" and last is not None:
        from exitkit.run.outcome import exit_like

        exit_like(last)  # dies of the child's signal, as the child did
    return result.exit_code


def resolve_contract(argv: list[str], explicit: str | None) -> Contract | None:
    """The contract for *argv*; any failure to load one is exitkit run's own (125)."""
    from exitkit.contracts.resolve import contract_for

    try:
        return contract_for(argv, explicit)
    except ExitkitError as err:
        raise ExitkitError("run-failed", err.message, err.hint) from None


def finish(result: RunResult, sinks: list[Reporter]) -> None:
    """Hand *result* to every reporter; reporting never changes the command's status."""
    for sink in sinks:
        try:
            sink.finished(result)
        except Exception as exc:
            from exitkit.errors import write_stderr
            from exitkit.text import escape

            write_stderr(f"exitkit: could not report the result: {type(exc).__name__}: "
                         f"{escape(str(exc))}\n")
