"""Test helper: ``exitkit run`` in miniature. Supervise a command, then exit the way it ended.

    python supervise_driver.py [--timeout S] [--kill-after S|none] [--signal N] [--report FILE]
                               [--tag WORD] -- CMD [ARG...]

``--report`` writes the Outcome as JSON; ``--tag`` is ignored (it marks the process for tests).
"""

from __future__ import annotations

import json
import sys

from exitkit.run.outcome import exit_like
from exitkit.run.supervise import SpawnError, supervise


def main() -> None:
    args = sys.argv[1:]
    timeout: float | None = None
    kill_after: float | None = 5.0
    timeout_signal = 15
    report = None
    while args and args[0] != "--":
        option, value, args = args[0], args[1], args[2:]
        if option == "--timeout":
            timeout = float(value)
        elif option == "--kill-after":
            kill_after = None if value == "none" else float(value)
        elif option == "--signal":
            timeout_signal = int(value)
        elif option == "--report":
            report = value
        elif option != "--tag":
            sys.exit(f"supervise_driver: unknown option {option}")
    try:
        outcome = supervise(
            args[1:], timeout=timeout, timeout_signal=timeout_signal, kill_after=kill_after
        )
    except SpawnError as exc:
        print(f"driver: {exc.message}", file=sys.stderr)
        sys.exit(exc.status)
    if report:
        fields = {name: getattr(outcome, name) for name in outcome.__slots__}
        with open(report, "w") as out:
            json.dump({**fields, "status": outcome.status}, out)
    exit_like(outcome)


if __name__ == "__main__":
    main()
