"""What a command line is made of (:class:`Command`, :class:`Option`, :class:`Argument`), and the
parser for the command table in :mod:`exitkit.cli.spec`.

It understands what users type: ``--opt value``, ``--opt=value``, ``-c value``, ``-cvalue``,
flags, repeated options, ``--`` ending the options, and for ``exitkit run`` the first command word
ending them. Every mistake is an :class:`~exitkit.errors.ExitkitError` naming the command's own
error exit (``usage``, or ``run-failed`` for ``exitkit run``), with a did-you-mean where one
helps. Values stay strings: each command converts and checks its own.
"""

from __future__ import annotations

from exitkit.errors import ExitkitError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


class Option:
    """An option: its spellings, where its value goes, and what kind of value it takes.

    ``value`` names the kind of value for completion and help (``contract``, ``codes``, ``file``,
    ``duration``, ``signal``, ``number``, ``format``, ``ci`` …), or is ``None`` for a flag, which
    stores ``flag`` (default True). A ``repeat`` option collects every occurrence into a list.
    """

    __slots__ = ("dest", "flag", "help", "metavar", "names", "repeat", "value")

    def __init__(self, names: Sequence[str], dest: str, help: str, *, value: str | None = None,
                 metavar: str = "", repeat: bool = False, flag: bool = True) -> None:
        self.names = tuple(names)
        self.dest = dest
        self.help = help
        self.value = value
        self.metavar = metavar or (value.upper() if value else "")
        self.repeat = repeat
        self.flag = flag

    @property
    def takes_value(self) -> bool:
        return self.value is not None

    def __repr__(self) -> str:
        return f"Option({'/'.join(self.names)})"


class Argument:
    """A positional argument. ``count`` is ``1`` (required), ``"?"`` (optional) or ``"*"`` (any
    number, into a list); ``value`` is the kind of value, as for :class:`Option`."""

    __slots__ = ("count", "dest", "help", "metavar", "value")

    def __init__(self, dest: str, metavar: str, help: str, *, value: str = "value",
                 count: int | str = 1) -> None:
        self.dest = dest
        self.metavar = metavar
        self.help = help
        self.value = value
        self.count = count


class Command:
    """One subcommand: a summary line, a description, options, arguments and examples.

    ``error`` is exitkit's own exit (see ``exitkit show exitkit``) that a usage mistake exits with;
    ``stop_at_argument`` makes the first positional word end option parsing (``exitkit run``,
    whose command has options of its own).
    """

    __slots__ = ("arguments", "description", "epilog", "error", "examples", "hidden", "name",
                 "options", "stop_at_argument", "summary")

    def __init__(self, name: str, summary: str, description: str, *,
                 options: Sequence[Option] = (), arguments: Sequence[Argument] = (),
                 examples: Sequence[str] = (), epilog: str = "", error: str = "usage",
                 stop_at_argument: bool = False, hidden: bool = False) -> None:
        self.name = name
        self.summary = summary
        self.description = description
        self.options = (*options, HELP)
        self.arguments = tuple(arguments)
        self.examples = tuple(examples)
        self.epilog = epilog
        self.error = error
        self.stop_at_argument = stop_at_argument
        self.hidden = hidden

    def option(self, name: str) -> Option | None:
        """The option spelled *name* (``-c``, ``--contract``), if this command has one."""
        for option in self.options:
            if name in option.names:
                return option
        return None

    @property
    def option_names(self) -> list[str]:
        return [name for option in self.options for name in option.names]


HELP = Option(("-h", "--help"), "help", "Show this help and exit.")


class Parsed:
    """The result: the command and a value per destination (options and arguments)."""

    __slots__ = ("command", "values")

    def __init__(self, command: Command, values: dict[str, object]) -> None:
        self.command = command
        self.values = values

    def text(self, dest: str) -> str | None:
        value = self.values.get(dest)
        return value if isinstance(value, str) else None

    def flag(self, dest: str) -> bool:
        return self.values.get(dest) is True

    def words(self, dest: str) -> list[str]:
        value = self.values.get(dest)
        return [str(word) for word in value] if isinstance(value, list) else []

    def given(self, dest: str) -> bool:
        return dest in self.values


class ParseError(ExitkitError):
    """A mistake on the command line; *parsed* holds what was understood before it (``exitkit
    run`` reads its --ci there, to report the mistake to a GitHub job too)."""

    def __init__(self, exit: str, message: str, hint: str | None, parsed: Parsed) -> None:
        super().__init__(exit, message, hint)
        self.parsed = parsed


def close_matches(word: str, choices: list[str]) -> str:
    """`` (did you mean '--json'?)`` when *word* looks like a typo of one of *choices*."""
    import difflib

    found = difflib.get_close_matches(word, choices, n=2, cutoff=0.6)
    if not found:
        return ""
    return " (did you mean " + " or ".join(repr(f) for f in found) + "?)"


def parse(command: Command, args: list[str]) -> Parsed:
    """Parse *args*, the words after the command's name. ``help`` is set, and nothing else is
    checked, as soon as ``-h``/``--help`` is seen among the options."""
    return _Parser(command).parse(args)


def split_option(command: Command, arg: str) -> tuple[str, str | None]:
    """``--ok=5`` → (``--ok``, ``5``); ``-cproxxx`` and ``-c=proxxx`` → (``-c``, ``proxxx``);
    anything else → (arg, None)."""
    if arg.startswith("--"):
        name, sep, value = arg.partition("=")
        return (name, value) if sep else (arg, None)
    if len(arg) > 2 and command.option(arg) is None:
        option = command.option(arg[:2])
        if option is not None and option.takes_value:
            value = arg[2:]
            return arg[:2], value[1:] if value.startswith("=") else value
    return arg, None


class _Parser:
    __slots__ = ("command", "values")

    def __init__(self, command: Command) -> None:
        self.command = command
        self.values: dict[str, object] = {}

    def fail(self, message: str) -> ParseError:
        return ParseError(self.command.error, message, f"see 'exitkit {self.command.name} --help'",
                          Parsed(self.command, dict(self.values)))

    def parse(self, args: list[str]) -> Parsed:
        command = self.command
        positionals: list[str] = []
        i = 0
        while i < len(args):
            arg = args[i]
            i += 1
            if arg == "--":
                positionals.extend(args[i:])
                break
            if not arg.startswith("-") or arg == "-":
                positionals.append(arg)
                if command.stop_at_argument:
                    positionals.extend(args[i:])
                    break
                continue
            name, attached = self.split(arg)
            option = command.option(name)
            if option is None:
                from exitkit.text import shell_word

                raise self.fail(f"no such option: {shell_word(name)}"
                                f"{close_matches(name, command.option_names)}")
            if option.dest == "help":
                self.values["help"] = True
                return Parsed(command, self.values)
            if not option.takes_value:
                if attached is not None:
                    raise self.fail(f"{name} takes no value")
                self.values[option.dest] = option.flag
                continue
            if attached is None:
                if i >= len(args) or self.is_option(args[i]):
                    raise self.fail(f"{name} needs a value ({option.metavar})")
                attached = args[i]
                i += 1
            self.store(option, name, attached)
        self.assign(positionals)
        return Parsed(command, self.values)

    def split(self, arg: str) -> tuple[str, str | None]:
        return split_option(self.command, arg)

    def is_option(self, word: str) -> bool:
        """A value that is itself ``--`` or one of the command's options (``--report --``,
        ``-c --json``) means the value is missing; other words starting with ``-`` are values."""
        if word == "--":
            return True
        if not word.startswith("-"):
            return False
        name = word.partition("=")[0] if word.startswith("--") else word[:2]
        return self.command.option(name) is not None

    def store(self, option: Option, name: str, value: str) -> None:
        if option.repeat:
            existing = self.values.setdefault(option.dest, [])
            assert isinstance(existing, list)
            existing.append(value)
        elif option.dest in self.values:
            raise self.fail(f"{name} given twice")
        else:
            self.values[option.dest] = value

    def assign(self, positionals: list[str]) -> None:
        rest = list(positionals)
        for argument in self.command.arguments:
            if argument.count == "*":
                self.values[argument.dest] = rest
                rest = []
            elif argument.count == "?":
                self.values[argument.dest] = rest.pop(0) if rest else None
            elif rest:
                self.values[argument.dest] = rest.pop(0)
            else:
                raise self.fail(f"missing argument {argument.metavar}")
        if rest:
            from exitkit.text import shell_word

            raise self.fail(f"unexpected argument {shell_word(rest[0])}")
