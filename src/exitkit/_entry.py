"""The ``exitkit`` console script: runs :func:`exitkit.cli.main` and keeps every failure clean.

Start-up time is a feature: ``exitkit shell`` runs in every new shell that evals it and ``exitkit
run`` wraps every CI step, so nothing is imported here that those two do not need.

``exitkit run`` holds the signals it relays from its very first line (see
:func:`exitkit.run.relay.hold_signals`): a Ctrl-C in its first milliseconds then waits for the
handlers instead of raising KeyboardInterrupt somewhere, or being lost.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False

#: The signal mask exitkit was started with, when ``exitkit run`` blocked its signals on its first
#: line: as soon as it can (``_signal`` is built in; nothing is imported for it). The relay
#: unblocks them once its handlers are in place.
HELD_MASK: set[int] | None = None
#: The process that started ``exitkit run``, as early as it can be read: a shell that exits in
#: exitkit's first milliseconds is still seen to be gone (its death stops the command).
PARENT: int | None = None
if sys.argv[1:2] == ["run"]:
    import os as _os  # loaded by the interpreter's start-up already: free

    PARENT = _os.getppid()
    if TYPE_CHECKING:
        import signal as _signal
    else:
        import _signal

    HELD_MASK = _signal.pthread_sigmask(_signal.SIG_BLOCK, _signal.valid_signals() - {
        _signal.SIGKILL, _signal.SIGSTOP, _signal.SIGSEGV, _signal.SIGBUS, _signal.SIGILL,
        _signal.SIGFPE, _signal.SIGABRT, _signal.SIGTRAP, _signal.SIGSYS})
    # No garbage collection while it starts: what start-up creates (modules, classes, functions)
    # lives as long as the process, and three collections of it cost about 0.3 ms of every run.
    # exitkit.run.command freezes it and turns collection back on before the first attempt.
    import gc

    gc.disable()


def console() -> None:
    """The entry point: exit with :func:`main`'s status, whatever became of stdout and stderr (a
    closed, full or broken stream must not turn exitkit's status into Python's 120)."""
    status = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    import os

    os._exit(status)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    running = bool(args) and args[0] == "run"
    if running:
        from exitkit.run.relay import hold_signals

        hold_signals(HELD_MASK)
    try:
        from exitkit.cli import main as cli_main

        return cli_main(args)
    except BrokenPipeError:
        # `exitkit list | head`: the reader left; say nothing more and don't let Python complain.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return _pipe_status(running)
    except KeyboardInterrupt:
        # Ctrl-C during a command that has no handler for it: end by it, as the shell expects
        # (a loop around `exitkit list` stops), without a traceback.
        from exitkit.run.outcome import die_of

        die_of(_signal_number("SIGINT"))
    except Exception as exc:  # an exitkit bug: say so, keep the traceback, exit with "internal"
        import traceback

        from exitkit.errors import ExitkitError, report

        if _is_output_failure(exc):  # stdout on a full disk or a closed descriptor: no bug
            reason = getattr(exc, "strerror", None) or exc
            status = "run-failed" if running else "output-failed"
            return report(ExitkitError(status, f"cannot write output: {reason}"),
                          as_json=not running and "--json" in args)

        if sys.stderr is not None:
            traceback.print_exc()  # traceback's own writes ignore a broken stderr
        return report(
            ExitkitError(
                "run-failed" if running else "internal",
                f"internal error: {type(exc).__name__}: {exc}",
                hint="this is a bug in exitkit; please report it with the traceback above",
            )
        )


def _signal_number(name: str) -> int:
    import signal

    return int(getattr(signal, name))


def _pipe_status(running: bool) -> int:
    """``exitkit run``'s own output failing is exitkit run's failure (125); for the other
    commands a reader that went away reads like SIGPIPE (141)."""
    if running:
        from exitkit._status import RUN_FAILED

        return RUN_FAILED
    from exitkit.signals import death_status

    return death_status(_signal_number("SIGPIPE"))


def _is_output_failure(exc: BaseException) -> bool:
    import errno

    return (isinstance(exc, OSError) and exc.errno in (
        errno.ENOSPC, errno.EIO, errno.EBADF, errno.EDQUOT, errno.EPIPE
    )) or (isinstance(exc, AttributeError) and sys.stdout is None)
