"""The command line: one table of commands (``spec``), one parser, help, completion, dispatch.

:func:`main` is what the ``exitkit`` console script runs. It stays a thin layer: it parses with
the table (``exitkit run`` with its own entry alone, see :func:`_command`), calls a command
function (:mod:`exitkit.cli.commands`, or ``exitkit run``'s own in :mod:`exitkit.run.command`) and
turns exitkit's errors into one ``exitkit: …`` line, or one JSON object with ``--json``. Importing
it costs next to nothing, because every ``exitkit`` start pays for it: ``exitkit shell`` runs in
every new shell that evals it, ``exitkit run`` wraps every CI step, and a TAB runs ``exitkit
__complete``.
"""

from __future__ import annotations

from exitkit._status import SUCCESS
from exitkit.errors import ExitkitError, report, write_stdout

TYPE_CHECKING = False
if TYPE_CHECKING:
    from exitkit.cli.parse import Command


def main(args: list[str]) -> int:
    """Run ``exitkit ARGS``; return the status to exit with."""
    first = args[0] if args else "--help"
    if first == "__complete":
        from exitkit.cli.complete import main as complete_main

        return complete_main(args[1:])
    if first in ("-h", "--help"):
        from exitkit.cli.help import main_help

        write_stdout(main_help())
        return SUCCESS
    if first == "--version":
        from exitkit import __version__

        write_stdout(f"exitkit {__version__}\n")
        return SUCCESS
    command = _command(first)
    as_json = "--json" in args
    try:
        if command is None:
            raise _unknown_command(first)
        from exitkit.cli.parse import parse

        parsed = parse(command, args[1:])
        as_json = parsed.flag("json")
        if parsed.flag("help"):
            from exitkit.cli.help import command_help

            write_stdout(command_help(command))
            return SUCCESS
        if command.name == "run":
            from exitkit.run.command import main as run_main

            return run_main(parsed)
        from exitkit.cli.commands import HANDLERS

        return HANDLERS[command.name](parsed)
    except ExitkitError as err:
        from exitkit.cli.parse import ParseError

        if isinstance(err, ParseError) and err.parsed.command.name == "run":
            from exitkit.run.command import fail

            return fail(err, err.parsed)  # in a GitHub job, also an annotation and the outputs
        if isinstance(err, ParseError) and err.parsed.command.name == "shell":
            from exitkit.shells.command import print_failing_code

            print_failing_code([a for a in args[1:] if not a.startswith("-")])
        return report(err, as_json=as_json)


def _command(name: str) -> Command | None:
    """The command called *name*. ``exitkit run``, which wraps every CI step, is found without
    loading the table: it is declared with the command (:mod:`exitkit.run.command`)."""
    if name == "run":
        from exitkit.run.command import COMMAND

        return COMMAND
    from exitkit.cli.spec import BY_NAME

    return BY_NAME.get(name)


def _unknown_command(word: str) -> ExitkitError:
    from exitkit.cli import spec
    from exitkit.cli.parse import close_matches
    from exitkit.text import shell_word

    if word.startswith("-"):
        names = [name for option in spec.TOP_OPTIONS for name in option.names]
        message = f"no such option: {shell_word(word)}{close_matches(word, names)}"
    else:
        message = f"no such command: {shell_word(word)}{close_matches(word, list(spec.BY_NAME))}"
    return ExitkitError("usage", message, hint="see 'exitkit --help'")
