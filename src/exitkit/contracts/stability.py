"""The stability check behind ``exitkit diff``: what changed between two versions of a contract,
which semver bump that needs, and whether the new version number makes it.

Rules (docs/authors.md, "Keep the table stable"): an added exit or error code is *minor*;
a removed, renumbered, renamed or re-kinded exit, a flipped ``retryable``, a removed or remapped
error code, a changed prefix or contract name is *major*; reworded text is *patch*. While the old
version is 0.x, a minor bump may carry breaking changes.
"""

from __future__ import annotations

import os

from exitkit.contracts.loader import parse_contract, parse_version, read_toml
from exitkit.errors import ExitkitError
from exitkit.text import quoted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from exitkit.contracts.model import Contract, ErrorCode, ExitCode

#: Change levels, smallest first; a bump covers every level up to its own.
LEVELS: tuple[str, ...] = ("none", "patch", "minor", "major")
_RANK = {level: rank for rank, level in enumerate(LEVELS)}


class Change:
    """One difference between two contracts, with the semver level it needs.

    ``what`` is ``exit``, ``outcome``, ``error`` or ``contract``; ``code`` the exit number, outcome
    name or error code (``None`` for the contract); ``name`` the exit's name (for an error code:
    the exit it maps to; for the contract: its name); ``change`` a machine-readable token
    (``renamed``, ``added``…).
    """

    __slots__ = ("change", "code", "level", "message", "name", "what")

    def __init__(
        self,
        level: str,
        what: str,
        code: int | str | None,
        name: str | None,
        change: str,
        message: str,
    ) -> None:
        self.level = level
        self.what = what
        self.code = code
        self.name = name
        self.change = change
        self.message = message

    @property
    def subject(self) -> str:
        return self.what if self.code is None else f"{self.what} {self.code}"

    def __str__(self) -> str:
        return f"{self.level:<5}  {self.subject}: {self.message}"

    def __repr__(self) -> str:
        return f"Change({self.level!r}, {str(self)!r})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "what": self.what,
            "code": self.code,
            "name": self.name,
            "change": self.change,
            "message": self.message,
        }


class Report:
    """The outcome of comparing OLD with NEW: the changes, the bump they need and the one made."""

    __slots__ = ("actual", "changes", "needed", "new", "note", "ok", "old", "required")

    def __init__(self, old: Contract, new: Contract, changes: list[Change]) -> None:
        self.old = old
        self.new = new
        self.changes = changes
        self.required = max((c.level for c in changes), key=_RANK.__getitem__, default="none")
        self.actual = bump(old.version, new.version)
        self.note: str | None = None
        old_core = _core(old.version)
        if self.actual == "downgrade":
            self.ok = False
        elif _RANK[self.actual] >= _RANK[self.required]:
            self.ok = True
        elif old_core[0] == 0 and self.required == "major" and self.actual == "minor":
            self.ok = True
            self.note = "0.x: a minor bump may carry breaking changes"
        else:
            self.ok = False
        #: The smallest version NEW could have had to pass (``None`` when it passes).
        self.needed = None if self.ok else _smallest(old_core, self.required)

    @property
    def verdict(self) -> str:
        """``required: major; version 1.2.0 → 1.3.0 is minor: too small (needs 2.0.0 or later)``."""
        required = self.required + (" (no changes)" if not self.changes else "")
        if self.actual == "downgrade":
            made, outcome = "a downgrade", "not allowed"
        else:
            made = "unchanged" if self.actual == "none" else self.actual
            if self.ok:
                outcome = "ok" + (f" ({self.note})" if self.note else "")
            else:
                outcome = f"too small (needs {self.needed} or later)"
        return (
            f"required: {required}; version {self.old.version} → {self.new.version} "
            f"is {made}: {outcome}"
        )

    def lines(self) -> list[str]:
        """One line per change, then the verdict; contract text escaped (an error code may hold
        anything, and a terminal must not act on it)."""
        from exitkit.text import escape

        return [escape(str(c)) for c in self.changes] + [self.verdict]

    def to_dict(self) -> dict[str, Any]:
        def side(contract: Contract) -> dict[str, str]:
            return {"name": contract.name, "version": contract.version, "origin": contract.origin}

        return {
            "old": side(self.old),
            "new": side(self.new),
            "changes": [c.to_dict() for c in self.changes],
            "required": self.required,
            "actual": self.actual,
            "ok": self.ok,
            "note": self.note,
        }


def _core(version: str) -> tuple[int, int, int]:
    core = parse_version(version)
    if core is None:  # pragma: no cover - the loader rejects such versions
        raise ExitkitError("invalid-contract", f"not a semantic version: {version!r}")
    return core


def _smallest(old: tuple[int, int, int], required: str) -> str:
    major, minor, patch = old
    if required == "major" and major > 0:
        return f"{major + 1}.0.0"
    if required in ("major", "minor"):
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def _precedence(version: str) -> tuple[tuple[int, int, int], tuple[object, ...]]:
    """semver's order (§11): by MAJOR.MINOR.PATCH, then a pre-release below the release, and
    pre-releases by their identifiers (numbers below words, numbers as numbers). Build metadata
    has no say."""
    pre = version.partition("+")[0].partition("-")[2]
    if not pre:
        return _core(version), (1,)
    return _core(version), (0, [(0, int(p)) if p.isdigit() else (1, p) for p in pre.split(".")])


def bump(old: str, new: str) -> str:
    """The bump from *old* to *new*: ``major``, ``minor``, ``patch``, ``none`` or ``downgrade``.

    The level compares MAJOR.MINOR.PATCH; a pre-release counts only to find a downgrade
    (``1.0.0`` → ``1.0.0-rc.1``, ``1.0.0-rc.2`` → ``1.0.0-rc.1``), and build metadata never does.
    """
    before, after = _core(old), _core(new)
    if _precedence(new) < _precedence(old):
        return "downgrade"
    for level, was, now in zip(("major", "minor", "patch"), before, after, strict=True):
        if now > was:
            return level
    return "none"


def compare(old: Contract, new: Contract) -> Report:
    """Every change from *old* to *new*, classified, and the verdict on NEW's version."""
    changes = (_contract_changes(old, new) + _exit_changes(old, new)
               + _outcome_changes(old, new) + _error_changes(old, new))
    return Report(old, new, changes)


def _text_changes(
    what: str, code: int | str, name: str | None, fields: list[tuple[str, str | None, str | None]]
) -> list[Change]:
    changes = []
    for field, was, now in fields:
        if was == now:
            continue
        if was is None:
            verb = "added"
        elif now is None:
            verb = "removed"
        else:
            verb = "reworded"
        changes.append(Change("patch", what, code, name, f"{field}-{verb}", f"{field} {verb}"))
    return changes


def _match_key(contract: Contract) -> tuple[str, tuple[str, ...], frozenset[str]] | None:
    """What decides which command lines a contract's ``[match]`` reads."""
    match = contract.match
    return None if match is None else (match.command, match.args, frozenset(match.flags))


def _contract_changes(old: Contract, new: Contract) -> list[Change]:
    changes = []
    if old.name != new.name:
        changes.append(Change("major", "contract", None, new.name, "name-changed",
                              f"name changed {old.name!r} → {new.name!r}"))
    if old.prefix != new.prefix:
        changes.append(Change("major", "contract", None, new.name, "prefix-changed",
                              f"prefix changed {old.prefix} → {new.prefix}: "
                              "every shell constant is renamed"))
    if _match_key(old) != _match_key(new):  # flags must all be there: their order means nothing
        def covers(contract: Contract) -> str:
            return contract.match.describe() if contract.match else "the command named like it"

        changes.append(Change("major", "contract", None, new.name, "match-changed",
                              f"[match] changed: {covers(old)} → {covers(new)}; other command "
                              "lines are read with this table"))
    if old.summary != new.summary:
        changes.append(Change("patch", "contract", None, new.name, "summary-reworded",
                              "summary reworded"))
    if old.source != new.source:
        changes.append(Change("patch", "contract", None, new.name, "source-changed",
                              "source changed"))
    return changes


def _exit_changes(old: Contract, new: Contract) -> list[Change]:
    old_code = {e.code: e for e in old.exits}
    new_code = {e.code: e for e in new.exits}
    old_name = {e.name: e for e in old.exits}
    new_name = {e.name: e for e in new.exits}
    found: list[tuple[int, int, Change]] = []  # (code, order, change) for sorting by code

    def add(code: int, changes: list[Change]) -> None:
        found.extend((code, len(found) + i, c) for i, c in enumerate(changes))

    # The same name on both sides: one exit, maybe renumbered.
    for name, was in old_name.items():
        now = new_name.get(name)
        if now is None:
            continue
        if was.code != now.code:
            add(was.code, [Change("major", "exit", was.code, name, "renumbered",
                                  f"renumbered {name!r} → {now.code}")])
        add(now.code, _exit_field_changes(was, now))

    # The same code on both sides under different names.
    for code, was in old_code.items():
        now = new_code.get(code)
        if now is None or now.name == was.name:
            continue
        moved_away = was.name in new_name  # the old name lives on under another code
        moved_here = now.name in old_name  # the new name came from another code
        if not moved_away and not moved_here:
            add(code, [Change("major", "exit", code, now.name, "renamed",
                              f"renamed {was.name!r} → {now.name!r}")])
            add(code, _exit_field_changes(was, now))
        elif not moved_away:
            add(code, [Change("major", "exit", code, was.name, "removed",
                              f"removed {was.name!r} (code now used by {now.name!r})")])
        elif not moved_here:
            add(code, [Change("major", "exit", code, now.name, "repurposed",
                              f"repurposed for new {now.name!r} ({now.kind}); "
                              f"{was.name!r} moved to {new_name[was.name].code}")])
        # else: both names were renumbered, which their own lines say

    # Neither the code nor the name remains / neither existed before.
    for code, was in old_code.items():
        if code not in new_code and was.name not in new_name:
            add(code, [Change("major", "exit", code, was.name, "removed",
                              f"removed {was.name!r}")])
    for code, now in new_code.items():
        if code not in old_code and now.name not in old_name:
            add(code, [Change("minor", "exit", code, now.name, "added",
                              f"added {now.name!r} ({now.kind})")])
    return [change for _, _, change in sorted(found, key=lambda item: item[:2])]


def _exit_field_changes(was: ExitCode, now: ExitCode) -> list[Change]:
    """Changes within one exit (matched by code or by name): kind, retryable, texts."""
    changes = []
    if was.kind != now.kind:
        changes.append(Change("major", "exit", now.code, now.name, "re-kinded",
                              f"re-kinded {was.kind} → {now.kind}"))
    if was.retryable != now.retryable:
        changes.append(Change("major", "exit", now.code, now.name, "retryable-flipped",
                              f"retryable flipped {_bool(was.retryable)} → "
                              f"{_bool(now.retryable)}"))
    changes += _text_changes("exit", now.code, now.name, [
        ("meaning", was.meaning, now.meaning),
        ("when", was.when, now.when),
        ("recovery", was.recovery, now.recovery),
    ])
    return changes


def _outcome_changes(old: Contract, new: Contract) -> list[Change]:
    """Outcomes (told apart by stderr) matched by name. What decides whether one holds — its
    codes, its pattern, its kind, the error lines, the locale — is major: a script's --ok
    tolerates other runs than before. A new outcome is minor, its texts a patch."""
    changes: list[Change] = []
    if set(old.stderr.errors) != set(new.stderr.errors):  # any one of them: order means nothing
        changes.append(Change("major", "contract", None, new.name, "error-lines-changed",
                              "[stderr] errors changed: other lines must be explained for an "
                              "outcome to hold"))
    if old.stderr.locale != new.stderr.locale:
        changes.append(Change("major", "contract", None, new.name, "locale-changed",
                              f"[stderr] locale changed {old.stderr.locale} → "
                              f"{new.stderr.locale}: the tool speaks another language"))
    old_rows = {o.name: o for o in old.outcomes}
    new_rows = {o.name: o for o in new.outcomes}
    for name, was in old_rows.items():
        now = new_rows.get(name)
        if now is None:
            changes.append(Change("major", "outcome", name, name, "removed", "removed"))
            continue
        if set(was.codes) != set(now.codes):
            changes.append(Change("major", "outcome", name, name, "codes-changed",
                                  f"refines exits {list(was.codes)} → {list(now.codes)}"))
        if was.pattern != now.pattern:
            changes.append(Change("major", "outcome", name, name, "pattern-changed",
                                  f"pattern changed {was.pattern!r} → {now.pattern!r}"))
        if was.kind != now.kind:
            changes.append(Change("major", "outcome", name, name, "re-kinded",
                                  f"re-kinded {was.kind} → {now.kind}"))
        if was.retryable != now.retryable:
            changes.append(Change("major", "outcome", name, name, "retryable-flipped",
                                  f"retryable flipped {_bool(was.retryable)} → "
                                  f"{_bool(now.retryable)}"))
        changes += _text_changes("outcome", name, name, [
            ("meaning", was.meaning, now.meaning),
            ("when", was.when, now.when),
            ("recovery", was.recovery, now.recovery),
        ])
    for name, now in new_rows.items():
        if name not in old_rows:
            changes.append(Change("minor", "outcome", name, name, "added",
                                  f"added ({now.kind}, of exit "
                                  f"{', '.join(map(str, now.codes))})"))
    return changes


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _error_changes(old: Contract, new: Contract) -> list[Change]:
    old_errors = {e.code: e for e in old.errors}
    new_errors = {e.code: e for e in new.errors}
    changes = []
    for code, was in old_errors.items():
        now = new_errors.get(code)
        if now is None:
            changes.append(Change("major", "error", code, was.exit, "removed", "removed"))
            continue
        changes.extend(_error_field_changes(old, new, was, now))
    for code, now in new_errors.items():
        if code not in old_errors:
            target = new.exit_of(now)
            changes.append(Change("minor", "error", code, now.exit, "added",
                                  f"added, maps to {target.name!r} ({target.code})"))
    return changes


def _error_field_changes(
    old: Contract, new: Contract, was: ErrorCode, now: ErrorCode
) -> list[Change]:
    changes = []
    before, after = old.exit_of(was), new.exit_of(now)
    # The same exit, if under the same name (maybe renumbered, which its own line says) or under
    # a new name at the same code (a rename, likewise).
    same = after.name == before.name or (
        after.code == before.code and new.lookup(before.name) is None
    )
    if not same:
        changes.append(Change("major", "error", now.code, now.exit, "remapped",
                              f"now maps to {after.name!r} ({after.code}), "
                              f"was {before.name!r} ({before.code})"))
    changes += _text_changes("error", now.code, now.exit, [
        ("meaning", was.meaning, now.meaning),
        ("hint", was.hint, now.hint),
    ])
    return changes


# --- OLD from git -------------------------------------------------------------------------------


def contract_from_bytes(raw: bytes, label: str) -> Contract:
    """Parse and validate contract TOML held in memory; *label* names it in messages.

    Goes through the loader's own reading and validation (via a temporary file), so a contract
    from git gets exactly the checks and messages a file on disk gets.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="exitkit-") as tmp:
        path = os.path.join(tmp, "contract.toml")
        with open(path, "wb") as fh:
            fh.write(raw)
        data, problems = read_toml(path)
    for problem in problems:
        problem.file = label
    contract = None
    if not problems:
        contract, problems = parse_contract(data, label)
    if contract is None:
        errors = [p for p in problems if p.severity == "error"]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ExitkitError(
            "invalid-contract", f"{errors[0]}{more}",
            hint=f"check out {label} and run 'exitkit lint' on it to see every problem",
        )
    return contract


def _git(args: list[str], cwd: str) -> tuple[int, bytes]:
    import subprocess

    try:
        done = subprocess.run(["git", "-C", cwd, *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise _no_git("which is not installed") from None
    except OSError as exc:
        raise ExitkitError("not-found", f"cannot run git: {exc.strerror or exc}") from None
    return done.returncode, done.stdout


def _check_git(cwd: str) -> None:
    """git failed: is it git that does not work at all (macOS's stub /usr/bin/git without the
    command-line tools prints "xcrun: error: invalid active developer path" for anything)?"""
    import subprocess

    try:
        done = subprocess.run(["git", "--version"], capture_output=True, check=False, cwd=cwd)
    except OSError:
        raise _no_git("which is not installed") from None
    if done.returncode != 0 or not done.stdout.startswith(b"git version"):
        from exitkit.text import escape

        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise _no_git("which does not work here" + (f" ({escape(said[0])})" if said else ""))


def _no_git(why: str) -> ExitkitError:
    return ExitkitError("not-found", f"--git needs git, {why}",
                        hint="install git (macOS: xcode-select --install), or give OLD and NEW "
                             "as files")


def load_at_revision(rev: str, file: str) -> Contract:
    """The contract *file* as committed at *rev* in the git repository that holds it."""
    if not rev or rev.startswith("-"):
        raise ExitkitError("usage", f"--git: not a revision: {quoted(rev)}",
                           hint="give a commit, branch or tag: --git HEAD~1 FILE")
    # a symlink (.exitkit/tool.toml -> ../contracts/tool.toml): the file it points to, whose
    # committed text is the contract; git's blob of the link is only the target's name
    absolute = os.path.realpath(file)
    directory = os.path.dirname(absolute)
    if not os.path.isdir(directory):
        raise ExitkitError("not-found", f"{file}: no such directory")
    rc, out = _git(["rev-parse", "--show-toplevel"], directory)
    if rc != 0:
        _check_git(directory)
        raise ExitkitError("usage", f"--git: {file} is not in a git work tree",
                           hint="without --git, give OLD and NEW as files or contract names")
    top = out.decode("utf-8", "surrogateescape").strip()
    rel = os.path.relpath(os.path.join(directory, os.path.basename(absolute)), top)
    rel = rel.replace(os.sep, "/")
    rc, _ = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top)
    if rc != 0:
        raise ExitkitError("not-found", f"--git: unknown revision {quoted(rev)} in {top}",
                           hint="'git log --oneline' lists the commits")
    rc, out = _git(["cat-file", "blob", f"{rev}:{rel}"], top)
    if rc != 0:
        raise ExitkitError("not-found", f"--git: {rel} does not exist at {rev}",
                           hint=f"'git log --oneline -- {rel}' shows the commits that have it")
    return contract_from_bytes(out, f"{rev}:{rel}")
