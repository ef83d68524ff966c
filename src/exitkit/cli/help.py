"""Help texts from the command table: ``exitkit --help``, ``exitkit COMMAND --help``.

Paragraphs are wrapped to the width below; usage lines, option names and examples never are, so an
example can be copied as it stands.
"""

from __future__ import annotations

from exitkit.cli import spec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from exitkit.cli.parse import Command, Option

WIDTH = 79
#: The column option descriptions start at; longer option names put the description below.
_COLUMN = 30


def wrap(text: str, width: int = WIDTH, indent: str = "  ") -> list[str]:
    """*text* as lines of at most *width* characters (a word longer than that stands alone)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(indent) + len(line) + 1 + len(word) > width:
            lines.append(indent + line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(indent + line)
    return lines


def usage(command: Command) -> str:
    """``Usage: exitkit show [OPTIONS] CONTRACT``."""
    words = ["exitkit", command.name]
    if len(command.options) > 1:
        words.append("[OPTIONS]")
    if command.stop_at_argument:
        words.append("[--]")
    words += [argument.metavar for argument in command.arguments]
    return "Usage: " + " ".join(words)


def option_label(option: Option) -> str:
    """``-c, --contract NAME|FILE``."""
    names = ", ".join(option.names)
    return f"{names} {option.metavar}" if option.takes_value else names


def _options(options: Iterable[Option]) -> list[str]:
    lines = []
    for option in options:
        label = "  " + option_label(option)
        text = wrap(option.help, indent=" " * _COLUMN)
        if len(label) + 2 <= _COLUMN:
            lines.append(label.ljust(_COLUMN) + text[0].lstrip())
            lines += text[1:]
        else:
            lines.append(label)
            lines += text
    return lines


def command_help(command: Command) -> str:
    """The whole ``exitkit COMMAND --help`` text."""
    lines = [usage(command), ""]
    lines += wrap(command.summary + ".")
    lines.append("")
    lines += wrap(command.description)
    lines += ["", "Options:"]
    lines += _options(command.options)
    if command.epilog:
        lines += ["", *command.epilog.splitlines()]
    if command.examples:
        lines += ["", "Examples:"]
        lines += ["  " + example for example in command.examples]
    return "\n".join(lines) + "\n"


def main_help() -> str:
    """The whole ``exitkit --help`` text: what exitkit is, its commands, its options."""
    lines = ["Usage: exitkit [OPTIONS] COMMAND [ARGS]...", ""]
    lines += wrap(spec.SUMMARY)
    lines += ["", "Commands:"]
    visible = [command for command in spec.COMMANDS if not command.hidden]
    width = max(len(command.name) for command in visible) + 4
    for command in visible:
        lines.append(f"  {command.name.ljust(width)}{command.summary}")
    lines += ["", "Options:"]
    lines += _options(spec.TOP_OPTIONS)
    lines += ["", "Examples:"]
    lines += ["  " + example for example in spec.TOP_EXAMPLES]
    lines += ["", "'exitkit COMMAND --help' explains each command."]
    return "\n".join(lines) + "\n"
