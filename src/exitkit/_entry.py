"""The ``exitkit`` console script: runs :func:`exitkit.cli.main` and keeps every failure clean.

Start-up time is a feature: ``exitkit shell`` runs in every new shell that evals it and ``exitkit
run`` wraps every CI step, so nothing is imported here that those two do not need.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        from exitkit.cli import main as cli_main

        return cli_main(args)
    except BrokenPipeError:
        # `exitkit list | head`: the reader left; say nothing more and don't let Python complain.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return _death_status("SIGPIPE")
    except KeyboardInterrupt:
        return _death_status("SIGINT")
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


def _death_status(name: str) -> int:
    import signal

    from exitkit.signals import death_status

    return death_status(int(getattr(signal, name)))


def _is_output_failure(exc: BaseException) -> bool:
    import errno

    return isinstance(exc, OSError) and exc.errno in (
        errno.ENOSPC, errno.EIO, errno.EBADF, errno.EDQUOT
    )
