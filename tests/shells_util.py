"""Which shells (and shell tools) a test may skip for, and which it must have.

``EXITKIT_REQUIRE_SHELLS`` lists programs that must be present, comma-separated
(``bash,zsh,fish,dash,ash``, also ``shellcheck``; ``ash`` means ``busybox sh``). A missing required
program fails the test; a missing optional one skips it, so a laptop without fish still runs the
rest while CI cannot pass by skipping.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

import pytest

#: How each program is started; ``ash`` is busybox's shell.
PROGRAMS: dict[str, tuple[str, ...]] = {
    "bash": ("bash",),
    "zsh": ("zsh",),
    "fish": ("fish",),
    "dash": ("dash",),
    "ash": ("busybox", "sh"),
    "ksh": ("ksh93",),
    "mksh": ("mksh",),
    "yash": ("yash",),
    "posh": ("posh",),
    "shellcheck": ("shellcheck",),
}


#: Read once, when the tests are collected: the autouse ``world`` fixture removes every
#: ``EXITKIT_*`` variable from the environment each test runs in.
_REQUIRED = frozenset(
    name.strip() for name in os.environ.get("EXITKIT_REQUIRE_SHELLS", "").split(",") if name.strip()
)


def required_programs() -> set[str]:
    """The names listed in ``EXITKIT_REQUIRE_SHELLS`` when the suite started."""
    return set(_REQUIRED)


#: Other names a program goes by (macOS ships ksh93 as /bin/ksh).
ALSO_KNOWN_AS: dict[str, tuple[str, ...]] = {"ksh": ("ksh",)}


@functools.cache
def _find(name: str) -> tuple[str, ...] | None:
    argv = PROGRAMS.get(name, (name,))
    path = shutil.which(argv[0])
    if path is None and name in ALSO_KNOWN_AS:
        argv = ALSO_KNOWN_AS[name]
        path = shutil.which(argv[0])
    if path is None:
        return None
    if argv[0] == "busybox":  # busybox may be built without the shell applet
        probe = subprocess.run([path, "sh", "-c", ":"], capture_output=True, check=False)
        if probe.returncode != 0:
            return None
    return (path, *argv[1:])


def program(name: str) -> list[str]:
    """The argv that starts *name*; skips the test if it is missing, fails it if required."""
    found = _find(name)
    if found is not None:
        return list(found)
    message = f"{' '.join(PROGRAMS.get(name, (name,)))} is not installed"
    if name in required_programs():
        pytest.fail(f"{message}, and EXITKIT_REQUIRE_SHELLS requires it")
    pytest.skip(message)
