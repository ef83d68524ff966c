"""The ``exitkit`` console script.

Start-up time is a feature: ``exitkit shell`` runs in every new shell that evals it and ``exitkit
run`` wraps every CI step, so those two are dispatched here before typer (about 50 ms of imports on
a small machine) is loaded. Everything else goes to the typer CLI in :mod:`exitkit.cli`.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        if args and args[0] == "run":
            from exitkit.run.command import main as run_main

            return run_main(args[1:])
        if args and args[0] == "__complete":
            from exitkit.complete import main as complete_main

            return complete_main(args[1:])
        if args and args[0] == "shell":
            from exitkit.shells.command import fast

            handled = fast(args[1:])
            if handled is not None:
                return handled
        from exitkit.cli import run_app

        return run_app(args)
    except BrokenPipeError:
        # `exitkit list | head`: the reader left; say nothing more and don't let Python complain.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # an exitkit bug: say so, keep the traceback, exit with "internal"
        import traceback

        from exitkit.errors import ExitkitError, report

        if _is_output_failure(exc):  # stdout on a full disk or a closed descriptor: no bug
            reason = getattr(exc, "strerror", None) or exc
            return report(ExitkitError("internal", f"cannot write output: {reason}"))

        traceback.print_exc()
        return report(
            ExitkitError(
                "internal",
                f"internal error: {type(exc).__name__}: {exc}",
                hint="this is a bug in exitkit; please report it with the traceback above",
            )
        )


def _is_output_failure(exc: BaseException) -> bool:
    import errno

    return isinstance(exc, OSError) and exc.errno in (
        errno.ENOSPC, errno.EIO, errno.EBADF, errno.EDQUOT
    )
