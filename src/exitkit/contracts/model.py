"""The contract model: one tool's exit-code table as plain, read-only objects.

This module is on exitkit's fast paths (``exitkit shell``, ``exitkit run``), so it imports nothing
beyond the standard library's always-loaded modules: no dataclasses, typing, re or enum at start.
"""

from __future__ import annotations

# How names and codes are written lives in a leaf module, for the fast paths' checks.
from exitkit.contracts.names import MAX_CODE as MAX_CODE
from exitkit.contracts.names import is_code as is_code
from exitkit.contracts.names import is_identifier as is_identifier
from exitkit.contracts.names import is_kebab as is_kebab
from exitkit.contracts.names import parse_code as parse_code

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at start-up; annotations are strings here
    import enum
    from collections.abc import Iterator, Sequence
    from typing import Any

#: The kinds vocabulary (docs/contracts.md, "Kinds"): makes different tools' codes comparable.
KINDS: tuple[str, ...] = (
    "success",
    "failure",
    "usage",
    "config",
    "auth",
    "not-found",
    "conflict",
    "validation",
    "precondition",
    "timeout",
    "rate-limited",
    "transient",
    "network",
    "internal",
    "in-progress",
    "signal",
    "not-executable",
    "command-not-found",
)

#: Kinds whose codes are worth retrying unless the contract says otherwise.
RETRYABLE_KINDS: frozenset[str] = frozenset({"rate-limited", "transient", "network"})

#: How a read-only object sets its attributes while it is built.
_set = object.__setattr__


class _ReadOnly:
    """A contract and its rows are shared (a built-in is loaded once per process, and every
    caller gets the same object) and read-only: no attribute can be set or deleted once built.
    Copies and pickles work."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only: build a new one instead")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only: build a new one instead")

    def __getstate__(self) -> dict[str, object]:
        return {name: getattr(self, name) for cls in type(self).__mro__
                for name in getattr(cls, "__slots__", ())}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            _set(self, name, value)

def default_prefix(name: str) -> str:
    """The constant prefix for a contract without one: ``my-tool`` → ``MY_TOOL_EXIT``."""
    return name.replace("-", "_").upper() + "_EXIT"


class _Row(_ReadOnly):
    """What an exit row and an outcome row share: a name, a kind, what it means, when it happens,
    what to do, and whether it is worth retrying (by default: by its kind)."""

    __slots__ = ("kind", "meaning", "name", "recovery", "retryable", "when")
    name: str
    kind: str
    meaning: str
    when: str | None
    recovery: str | None
    retryable: bool

    def __init__(self, name: str, kind: str, meaning: str, when: str | None,
                 recovery: str | None, retryable: bool | None) -> None:
        _set(self, "name", name)
        _set(self, "kind", kind)
        _set(self, "meaning", meaning)
        _set(self, "when", when)
        _set(self, "recovery", recovery)
        _set(self, "retryable", kind in RETRYABLE_KINDS if retryable is None else retryable)

    def _with_texts(self, data: dict[str, Any]) -> dict[str, Any]:
        """*data* followed by the optional texts and ``retryable``, in the file's order."""
        if self.when is not None:
            data["when"] = self.when
        if self.recovery is not None:
            data["recovery"] = self.recovery
        data["retryable"] = self.retryable
        return data

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:  # read-only, so its hash holds; equal rows share name and kind
        return hash((self.name, self.kind))


class ExitCode(_Row):
    """One row of an exit-code table: a number, its name and kind, and what it means."""

    __slots__ = ("code",)
    code: int

    def __init__(
        self,
        code: int,
        name: str,
        kind: str,
        meaning: str,
        when: str | None = None,
        recovery: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(name, kind, meaning, when, recovery, retryable)
        _set(self, "code", code)

    @property
    def ident(self) -> str:
        """The name as an identifier suffix: ``not-found`` → ``NOT_FOUND``."""
        return self.name.replace("-", "_").upper()

    def to_dict(self) -> dict[str, Any]:
        return self._with_texts({"code": self.code, "name": self.name, "kind": self.kind,
                                 "meaning": self.meaning})

    def __repr__(self) -> str:
        return f"ExitCode({self.code}, {self.name!r}, kind={self.kind!r})"


class ErrorCode(_ReadOnly):
    """A string error code (``REPO_NOT_CLONED``) that a tool reports, and the exit it maps to."""

    __slots__ = ("code", "exit", "hint", "meaning")
    code: str
    exit: str
    meaning: str
    hint: str | None

    def __init__(self, code: str, exit: str, meaning: str, hint: str | None = None) -> None:
        _set(self, "code", code)
        _set(self, "exit", exit)
        _set(self, "meaning", meaning)
        _set(self, "hint", hint)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "exit": self.exit, "meaning": self.meaning}
        if self.hint is not None:
            data["hint"] = self.hint
        return data

    def __repr__(self) -> str:
        return f"ErrorCode({self.code!r}, exit={self.exit!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ErrorCode) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.code, self.exit))


class OutcomeRow(_Row):
    """An outcome that refines a non-zero exit code by what the tool says on stderr: kubectl's
    exit 1 with a line ``Error from server (NotFound): …`` is ``not-found``.

    It holds only for an exit in *codes*, when a line of stderr matches *pattern* (a Python
    regular expression, searched in each line after ANSI escapes are removed), and when every
    error line is explained by an outcome the caller accepts (see
    :mod:`exitkit.contracts.classify`).
    Its name shares the exit names' space; it has no number, so no shell constant.
    """

    __slots__ = ("codes", "pattern")
    codes: tuple[int, ...]
    pattern: str

    def __init__(
        self,
        name: str,
        kind: str,
        meaning: str,
        codes: Sequence[int],
        pattern: str,
        when: str | None = None,
        recovery: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(name, kind, meaning, when, recovery, retryable)
        _set(self, "codes", tuple(codes))
        _set(self, "pattern", pattern)

    def to_dict(self) -> dict[str, Any]:
        return self._with_texts({"name": self.name, "kind": self.kind, "meaning": self.meaning,
                                 "codes": list(self.codes), "pattern": self.pattern})

    def __repr__(self) -> str:
        return f"OutcomeRow({self.name!r}, codes={self.codes}, pattern={self.pattern!r})"


class StderrRules(_ReadOnly):
    """How a contract reads the tool's stderr (its ``[stderr]`` table): which lines report an
    error (*errors*, regular expressions), and the message language the tool runs with
    (*locale*: ``"C"`` pins English messages for tools whose words are translated)."""

    __slots__ = ("errors", "locale")
    errors: tuple[str, ...]
    locale: str | None

    def __init__(self, errors: Sequence[str] = (), locale: str | None = None) -> None:
        _set(self, "errors", tuple(errors))
        _set(self, "locale", locale)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.errors:
            data["errors"] = list(self.errors)
        if self.locale is not None:
            data["locale"] = self.locale
        return data

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StderrRules) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.errors, self.locale))


class UnknownExit(KeyError):
    """``contract[key]`` for a code or name the contract does not define."""

    def __init__(self, contract: Contract, key: int | str) -> None:
        super().__init__(key)
        self.contract = contract
        self.key = key

    def __str__(self) -> str:
        codes = ", ".join(str(e.code) for e in self.contract.exits)
        what = f"exit {self.key}" if isinstance(self.key, int) else f"exit named {self.key!r}"
        return f"{self.contract.name} has no {what} (its codes: {codes})"


def _same_flag(word: str, flag: str) -> bool:
    """Whether *word* gives *flag* (``-flag``, ``-flag=value``). A long flag written with one
    dash (``-detailed-exitcode``, Go's flag package) is also given with two, as such tools
    accept both."""
    name = word.partition("=")[0]
    if name == flag:
        return True
    long_one_dash = flag.startswith("-") and not flag.startswith("--") and len(flag) > 2
    return long_one_dash and name == "-" + flag


class Match(_ReadOnly):
    """The command lines a contract covers (its ``[match]`` table): the command's basename, the
    leading subcommand words in order (``args``), and flags that must all be among the arguments
    (``flags``, also as ``-flag=value``).

    The subcommand words are the first words after the command that do not start with ``-``:
    ``terraform -chdir=infra plan`` has ``plan``. An option's separate value would count as a
    word, so a tool whose global options take values is matched with ``--option=value`` lines.
    """

    __slots__ = ("args", "command", "flags")
    command: str
    args: tuple[str, ...]
    flags: tuple[str, ...]

    def __init__(self, command: str, args: Sequence[str] = (), flags: Sequence[str] = ()) -> None:
        _set(self, "command", command)
        _set(self, "args", tuple(args))
        _set(self, "flags", tuple(flags))

    def matches(self, command: str, words: Sequence[str]) -> bool:
        """Whether a command named *command* (a basename) with arguments *words* is covered."""
        if command != self.command:
            return False
        positional = [w for w in words if not w.startswith("-")]
        if positional[: len(self.args)] != list(self.args):
            return False
        return all(any(_same_flag(w, flag) for w in words) for flag in self.flags)

    @property
    def specificity(self) -> tuple[int, int]:
        """More subcommand words first, then more flags: the most specific match wins."""
        return len(self.args), len(self.flags)

    def describe(self) -> str:
        """``terraform plan … -detailed-exitcode``: the covered command lines in one phrase."""
        words = [self.command, *self.args]
        if self.flags:
            words += ["…", *self.flags]
        return " ".join(words)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"command": self.command}
        if self.args:
            data["args"] = list(self.args)
        if self.flags:
            data["flags"] = list(self.flags)
        return data

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Match) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.command, self.args, self.flags))


class Contract(_ReadOnly):
    """The exit-code contract of one tool.

    ``exits`` are sorted by code; ``origin`` says where the contract came from (``built-in`` or a
    file path). Build one with :func:`exitkit.load` or
    :func:`exitkit.contracts.loader.parse_contract`.
    """

    __slots__ = (
        "_by_code",
        "_by_name",
        "_errors",
        "errors",
        "exits",
        "match",
        "name",
        "origin",
        "outcomes",
        "prefix",
        "source",
        "stderr",
        "summary",
        "version",
    )
    name: str
    match: Match | None
    version: str
    summary: str
    prefix: str
    source: str | None
    origin: str
    exits: tuple[ExitCode, ...]
    errors: tuple[ErrorCode, ...]
    _by_code: dict[int, ExitCode]
    _by_name: dict[str, ExitCode]
    _errors: dict[str, ErrorCode]
    outcomes: tuple[OutcomeRow, ...]
    stderr: StderrRules

    def __init__(
        self,
        name: str,
        version: str,
        summary: str,
        exits: list[ExitCode] | tuple[ExitCode, ...],
        errors: list[ErrorCode] | tuple[ErrorCode, ...] = (),
        prefix: str | None = None,
        source: str | None = None,
        origin: str = "built-in",
        match: Match | None = None,
        outcomes: Sequence[OutcomeRow] = (),
        stderr: StderrRules | None = None,
    ) -> None:
        _set(self, "name", name)
        #: The command lines this contract covers, or None (then: a command named like it).
        _set(self, "match", match)
        _set(self, "version", version)
        _set(self, "summary", summary)
        _set(self, "prefix", prefix or default_prefix(name))
        _set(self, "source", source)
        _set(self, "origin", origin)
        _set(self, "exits", tuple(sorted(exits, key=lambda e: e.code)))
        _set(self, "errors", tuple(errors))
        _set(self, "_by_code", {e.code: e for e in self.exits})
        _set(self, "_by_name", {e.name: e for e in self.exits})
        _set(self, "_errors", {e.code: e for e in self.errors})
        #: Outcomes told apart by stderr (``[[outcome]]``), in file order.
        _set(self, "outcomes", tuple(outcomes))
        #: The ``[stderr]`` table: error lines and locale (empty when the file has none).
        _set(self, "stderr", stderr if stderr is not None else StderrRules())

    @property
    def ident(self) -> str:
        """The contract name as a function-name stem: ``terraform-plan`` → ``terraform_plan``."""
        return self.name.replace("-", "_")

    def constant(self, exit: ExitCode) -> str:
        """The shell constant of *exit*: ``PROXXX_EXIT_NOT_FOUND``."""
        return f"{self.prefix}_{exit.ident}"

    def lookup(self, code_or_name: int | str) -> ExitCode | None:
        """The exit with this number (``5``, ``"5"``, see :func:`parse_code`) or name
        (``"not-found"``), else ``None``. Anything else (a float, a bool, None) is a
        :class:`TypeError` saying so."""
        if isinstance(code_or_name, bool) or not isinstance(code_or_name, (int, str)):
            raise TypeError(f"an exit is looked up by its code (int) or name (str), not by "
                            f"{type(code_or_name).__name__} {code_or_name!r}")
        if isinstance(code_or_name, int):
            return self._by_code.get(code_or_name)
        code = parse_code(code_or_name)
        if code is not None:
            return self._by_code.get(code)
        return self._by_name.get(code_or_name)

    def __getitem__(self, code_or_name: int | str) -> ExitCode:
        """``contract[5]``, ``contract["not-found"]``: the exit, or :class:`UnknownExit` (a
        ``KeyError``) saying what the contract has instead. :meth:`lookup` is the Optional form."""
        found = self.lookup(code_or_name)
        if found is None:
            raise UnknownExit(self, code_or_name)
        return found

    def __contains__(self, code_or_name: object) -> bool:
        """``5 in contract``, ``"not-found" in contract``."""
        if isinstance(code_or_name, bool) or not isinstance(code_or_name, (int, str)):
            return False
        return self.lookup(code_or_name) is not None

    def __iter__(self) -> Iterator[ExitCode]:
        """The exits, by code."""
        return iter(self.exits)

    def __len__(self) -> int:
        """How many exits the contract has."""
        return len(self.exits)

    def __bool__(self) -> bool:
        """A contract is a contract, whatever its size (``if contract:`` means "is there one")."""
        return True

    def lookup_error(self, code: str) -> ErrorCode | None:
        """The string error code *code* (exact match, else case-insensitive), or ``None``."""
        found = self._errors.get(code)
        if found is None:
            folded = code.casefold()
            for err in self.errors:
                if err.code.casefold() == folded:
                    return err
        return found

    def exit_of(self, error: ErrorCode) -> ExitCode:
        """The exit that a string error code maps to."""
        return self._by_name[error.exit]

    def select(self, key: str) -> list[ExitCode]:
        """Exits matching a code, an exit name or a kind; empty when nothing matches."""
        exit = self.lookup(key)
        if exit is not None:
            return [exit]
        return [e for e in self.exits if e.kind == key]

    def outcome(self, name: str) -> OutcomeRow | None:
        """The outcome row named *name*, or ``None``."""
        return next((o for o in self.outcomes if o.name == name), None)

    def select_outcomes(self, key: str) -> list[OutcomeRow]:
        """Outcome rows named *key*, or of kind *key*; empty when none."""
        found = self.outcome(key)
        if found is not None:
            return [found]
        return [o for o in self.outcomes if o.kind == key]

    def as_enum(self) -> type[enum.IntEnum]:
        """An ``IntEnum`` of the exits, members named like the constants: ``NOT_FOUND = 5``."""
        import enum

        return enum.IntEnum(  # type: ignore[return-value]
            self.ident.upper(), [(e.ident, e.code) for e in self.exits]
        )

    def to_dict(self) -> dict[str, Any]:
        """Everything, in the shape of the TOML file (prefix always filled in)."""
        data: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "summary": self.summary,
            "prefix": self.prefix,
        }
        if self.source is not None:
            data["source"] = self.source
        if self.match is not None:
            data["match"] = self.match.to_dict()
        stderr = self.stderr.to_dict()
        if stderr:
            data["stderr"] = stderr
        data["exit"] = [e.to_dict() for e in self.exits]
        if self.outcomes:
            data["outcome"] = [o.to_dict() for o in self.outcomes]
        if self.errors:
            data["error"] = [e.to_dict() for e in self.errors]
        return data

    def __eq__(self, other: object) -> bool:
        """The same contract: the same table, wherever each was loaded from (``origin``)."""
        return other is self or (isinstance(other, Contract) and
                                 self.to_dict() == other.to_dict())

    def __hash__(self) -> int:
        return hash((self.name, self.version))

    def __repr__(self) -> str:
        return f"Contract({self.name!r}, {self.version!r}, {len(self.exits)} exits)"
