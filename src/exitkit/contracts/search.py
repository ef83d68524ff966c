"""Where contracts are found: the search path (``$EXITKIT_PATH``, ``.exitkit/``, the user's
config directory, then the built-ins) and what is on it (docs/contracts.md, "Where contracts are
found").

Only names and paths: nothing is read or validated here (that is :mod:`exitkit.contracts.loader`),
so that ``exitkit run`` of a command without a contract costs a few ``listdir`` calls and no more.
"""

from __future__ import annotations

import os

from exitkit.contracts.names import is_kebab

#: Where a built-in contract is found, in place of a file path.
BUILTIN = "built-in"


def search_dirs() -> list[str]:
    """Directories searched for ``NAME.toml``, in order (docs/contracts.md, "Where contracts are
    found")."""
    dirs = [d for d in os.environ.get("EXITKIT_PATH", "").split(os.pathsep) if d]
    dirs.append(".exitkit")
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    dirs.append(os.path.join(config, "exitkit", "contracts"))
    seen: set[str] = set()
    unique = []
    for directory in dirs:  # one directory named twice is searched once
        key = os.path.normpath(directory)
        if key not in seen:
            seen.add(key)
            unique.append(directory)
    return unique


def looks_like_path(arg: str) -> bool:
    return os.sep in arg or arg.endswith(".toml")


def find(name: str) -> str | None:
    """Where contract *name* would be loaded from: a file path, ``"built-in"``, or ``None``."""
    if looks_like_path(name):
        return name if os.path.exists(name) else None
    if not is_kebab(name):
        return None
    for directory in search_dirs():
        # The file's own name must be the contract's: on a case-blind file system (macOS, Windows)
        # Proxxx.toml would open for proxxx.toml, while `exitkit list` (which reads names) does
        # not show it. One rule on every file system.
        try:
            entries = os.listdir(directory)
        except OSError:
            continue
        if name + ".toml" in entries:  # a file that cannot be used is named, and said so
            return os.path.join(directory, name + ".toml")
    from exitkit.contracts._builtin_index import NAMES

    return BUILTIN if name in NAMES else None


def available() -> list[tuple[str, str]]:
    """Every (name, where) on the search path, first occurrence first; shadowed ones included."""
    found: list[tuple[str, str]] = []
    for directory in search_dirs():
        try:
            entries = sorted(os.listdir(directory))
        except OSError:
            continue
        for entry in entries:  # unusable ones too (a FIFO, a dangling link): listed INVALID
            if entry.endswith(".toml") and is_kebab(entry[:-5]):
                found.append((entry[:-5], os.path.join(directory, entry)))
    found.extend((name, BUILTIN) for name in builtin_names())
    return found


def builtin_names() -> list[str]:
    """Names of the contracts that ship with exitkit."""
    from exitkit.contracts._builtin_index import NAMES

    return sorted(NAMES)
