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


def main(parsed: Parsed) -> int:
    """``exitkit run``: returns the status to exit with (or dies of the child's signal)."""
    from exitkit.run import policy
    from exitkit.run.options import from_parsed
    from exitkit.run.relay import SignalRelay
    from exitkit.run.report import reporters, tell
    from exitkit.run.runner import Runner

    # First, before anything can fail or take time: from here on no signal is lost.
    relay = SignalRelay()
    relay.install()
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
    result = runner.run()
    tell(sinks, "finished", result)
    if result.cause == "stopped" and result.signal is not None:
        from exitkit.run.outcome import die_of

        die_of(result.signal)  # a stop signal outside an attempt: end by it, as without exitkit
    last = runner.last.outcome if runner.last is not None else None
    if result.outcome == "signal" and last is not None:
        from exitkit.run.outcome import exit_like

        exit_like(last)  # dies of the child's signal, as the child did
    return result.exit_code


def fail(err: ExitkitError, parsed: Parsed) -> int:
    """exitkit run cannot run the command: one line on stderr, and in a GitHub job also an
    annotation and every step output, so that a later ``if:`` never reads an empty string."""
    from exitkit.errors import guard_workflow_commands, report
    from exitkit.run.options import ci_mode

    if ci_mode(parsed) == "github":
        from exitkit.run.report.github import publish_error

        guard_workflow_commands()
        publish_error(err)
    return report(err)


def resolve_contract(argv: list[str], explicit: str | None) -> Contract | None:
    """The contract for *argv*; any failure to load one is exitkit run's own (125)."""
    from exitkit.contracts.resolve import contract_for

    try:
        return contract_for(argv, explicit)
    except ExitkitError as err:
        raise ExitkitError("run-failed", err.message, err.hint) from None


