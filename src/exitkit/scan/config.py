"""A project's scan settings: the ``[scan]`` table of ``.exitkit.toml``.

::

    [scan]
    exclude = ["vendor/", "third_party/*"]        # paths never scanned
    disable = ["EK105"]                           # ids or kinds, everywhere
    [scan.per-file-disable]
    "scripts/legacy/*.sh" = ["magic-number"]      # ids or kinds, for these paths

The file is looked up from the directory scanned (the first PATH, or the directory of a file)
upwards, up to the first directory that holds ``.git`` (the repository's root), or named with
``--config``. Paths and globs are relative to the
directory of the file, and match as ``--exclude`` does: the path, or one of its directories.
"""

from __future__ import annotations

import os

from exitkit.errors import ExitkitError
from exitkit.scan.inputs import excluded
from exitkit.scan.model import IDS, RULES, suppressed

NAME = ".exitkit.toml"
_KEYS = frozenset({"exclude", "disable", "per-file-disable"})


class ScanConfig:
    """What a project's configuration switches off; the empty one when there is none."""

    def __init__(self, root: str = ".", exclude: list[str] | None = None,
                 disable: frozenset[str] = frozenset(),
                 per_file: list[tuple[str, frozenset[str]]] | None = None,
                 path: str | None = None) -> None:
        self.root = root
        self.exclude = exclude or []
        self.disable = disable
        self.per_file = per_file or []
        #: The file read, or ``None``.
        self.path = path

    def _relative(self, path: str) -> str:
        # both sides resolved: a config or a path reached through a symlink still matches
        return os.path.relpath(os.path.realpath(path), self.root)

    def excludes(self, path: str) -> bool:
        """Whether *path* (as the scan shows it) is excluded."""
        return bool(self.exclude) and excluded(self._relative(path), self.exclude)

    def disabled(self, path: str) -> frozenset[str]:
        """The ids and kinds switched off for *path*."""
        if not self.per_file:
            return self.disable
        rel = self._relative(path)
        found = set(self.disable)
        for pattern, ids in self.per_file:
            if excluded(rel, [pattern]):
                found |= ids
        return frozenset(found)

    def drops(self, path: str, rule_id: str) -> bool:
        return suppressed(rule_id, self.disabled(path))


def start(paths: list[str]) -> str:
    """Where the search for ``.exitkit.toml`` starts: the first path, or its directory."""
    first = paths[0] if paths else "."
    return first if os.path.isdir(first) else os.path.dirname(first) or "."


def find(start: str = ".") -> str | None:
    """The ``.exitkit.toml`` that governs *start*: in it, or a directory above, up to the
    repository's root."""
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, NAME)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if os.path.exists(os.path.join(directory, ".git")) or parent == directory:
            return None
        directory = parent


def load(path: str | None) -> ScanConfig:
    """The ``[scan]`` settings of *path* (``None``: no file, nothing switched off). Every mistake
    in the file is a usage error naming it."""
    if path is None:
        return ScanConfig()
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    from exitkit.text import quoted

    def bad(what: str) -> ExitkitError:
        return ExitkitError("usage", f"{path}: {what}",
                            hint="see docs/scan.md, \"Project configuration\"")

    try:
        with open(path, "rb") as file:
            data = tomllib.loads(file.read().decode("utf-8-sig"))
    except OSError as exc:
        raise bad(f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise bad("not UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise bad(f"invalid TOML: {exc}") from None
    table = data.get("scan", {})
    if not isinstance(table, dict):
        raise bad("[scan] must be a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise bad(f"unknown key scan.{unknown[0]} (known: {', '.join(sorted(_KEYS))})")

    def strings(value: object, key: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise bad(f"scan.{key} must be a list of non-empty strings")
        return value

    def rules(value: object, key: str) -> frozenset[str]:
        items = strings(value, key)
        for item in items:
            if item not in RULES and item not in IDS and item != "all":
                raise bad(f"scan.{key}: unknown rule {quoted(item)} (ids EK101-EK106, their "
                          "kinds, or all)")
        return frozenset(items)

    per_file = table.get("per-file-disable", {})
    if not isinstance(per_file, dict):
        raise bad("[scan.per-file-disable] must be a table of GLOB = [ids]")
    return ScanConfig(
        root=os.path.dirname(os.path.realpath(path)),
        exclude=strings(table.get("exclude", []), "exclude"),
        disable=rules(table.get("disable", []), "disable"),
        per_file=[(glob, rules(ids, f"per-file-disable.{quoted(glob)}"))
                  for glob, ids in per_file.items()],
        path=path)
