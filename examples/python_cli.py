"""A Python CLI that exits with the codes its contract publishes: the enum comes from
`exitkit show proxxx --format python > proxxx_exit.py`, so the code, the docs and the shell
constants of proxxx never disagree.

    python examples/python_cli.py delete 100     # exits 5 (ProxxxExit.NOT_FOUND)
"""

from __future__ import annotations

import sys

from proxxx_exit import ProxxxExit

GUESTS: dict[str, str] = {"101": "web"}


def main(argv: list[str]) -> ProxxxExit:
    if len(argv) != 2 or argv[0] != "delete":
        print("usage: python_cli.py delete VMID", file=sys.stderr)
        return ProxxxExit.USAGE
    if argv[1] not in GUESTS:
        print(f"guest {argv[1]} not found", file=sys.stderr)
        return ProxxxExit.NOT_FOUND
    return ProxxxExit.SUCCESS


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
