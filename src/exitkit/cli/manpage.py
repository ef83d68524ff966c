"""The man page, ``exitkit(1)``, from the command table and exitkit's own contract.

It says what ``--help`` says, command by command, and its EXIT STATUS section is the ``exitkit``
contract, so the page cannot drift from the program (``make generate`` writes it to
``share/man/man1/exitkit.1``; the tests check the committed copy).
"""

from __future__ import annotations

from exitkit.cli import spec
from exitkit.cli.help import option_label, usage

TYPE_CHECKING = False
if TYPE_CHECKING:
    from exitkit.cli.parse import Command, Option


def roff(text: str) -> str:
    """*text* as one line of roff: backslashes and hyphens literal (``\\e``, ``\\-``, so that a
    copied option is still an ASCII hyphen-minus), other characters than ASCII as escapes, and
    never read as a request (a line that starts with ``.`` or ``'``)."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    # roff input is ASCII: anything else is written as its Unicode escape (an em dash: \[u2014])
    text = "".join(ch if ch.isascii() else f"\\[u{ord(ch):04X}]" for ch in text)
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def _literal(lines: list[str]) -> list[str]:
    """Lines kept as they are (examples, status tables), indented."""
    return [".RS", ".nf", *(roff(line) for line in lines), ".fi", ".RE"]


def _options(options: tuple[Option, ...]) -> list[str]:
    out = []
    for option in options:
        out += [".TP", f"\\fB{roff(option_label(option))}\\fR", roff(option.help)]
    return out


def _command(command: Command) -> list[str]:
    out = [".SS " + _quoted_arg(usage(command).removeprefix("Usage: ")),
           roff(command.summary + "."), ".PP", roff(command.description)]
    for argument in command.arguments:
        out += [".TP", f"\\fI{roff(argument.metavar)}\\fR", roff(argument.help)]
    out += _options(command.options)
    if command.epilog:
        out += [".PP", *_literal(command.epilog.splitlines())]
    if command.examples:
        out += [".PP", "Examples:", *_literal(list(command.examples))]
    return out


def _quoted_arg(text: str) -> str:
    """*text* as one macro argument (``.SS "…"``); a ``"`` inside is written ``\\(dq``."""
    return '"' + roff(text).replace('"', "\\(dq") + '"'


def manpage() -> str:
    """The whole page, in the man(7) macros."""
    from exitkit import __version__
    from exitkit.contracts.loader import load_builtin

    out = [
        '.\\" Generated from exitkit\'s command table by tools/generate.py; do not edit.',
        f'.TH EXITKIT 1 "" "exitkit {roff(__version__)}" "User Commands"',
        ".nh",  # no hyphenation: option names and paths stay whole
        ".ad l",
        ".SH NAME",
        "exitkit \\- " + roff(spec.SUMMARY[0].lower() + spec.SUMMARY[1:]),
        ".SH SYNOPSIS",
        ".B exitkit",
        "[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...",
        ".SH DESCRIPTION",
        roff(spec.SUMMARY),
        ".PP",
        roff("'exitkit COMMAND --help' prints the part of this page about COMMAND."),
        ".SH OPTIONS",
        *_options(spec.TOP_OPTIONS),
        ".SH COMMANDS",
    ]
    for command in spec.COMMANDS:
        if not command.hidden:
            out += _command(command)
    out += [".SH EXIT STATUS", roff("exitkit's own statuses ('exitkit show exitkit'); "
                                    "'exitkit run' exits with its command's status instead, "
                                    "as above.")]
    for row in load_builtin("exitkit").exits:
        text = row.meaning + (f" ({row.when})" if row.when else "")
        out += [".TP", f"\\fB{row.code}\\fR {roff(row.name)}", roff(" ".join(text.split()))]
    out += [".SH EXAMPLES", *_literal(list(spec.TOP_EXAMPLES)),
            ".SH SEE ALSO", roff("The docs/ directory of exitkit's source: the contract format, "
                                 "exitkit run, the shell code, GitHub Actions, tab completion.")]
    return "\n".join(out) + "\n"
