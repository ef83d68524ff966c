"""``exitkit scan [PATH…] [--format text|json|sarif|github] [--exclude GLOB]``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from exitkit._status import CHECK_FAILED, SUCCESS
from exitkit.errors import ExitkitError, write_stderr, write_stdout

if TYPE_CHECKING:
    from exitkit.cli.parse import Parsed

INSTALL_HINT = "pip install 'exitkit[scan]'"


def require_parser() -> None:
    """Fail with what to install when tree-sitter or its bash grammar is missing."""
    import importlib.util

    missing = [name for name in ("tree_sitter", "tree_sitter_bash")
               if importlib.util.find_spec(name) is None]
    if missing:
        raise ExitkitError(
            "usage", "exitkit scan needs tree-sitter and tree-sitter-bash, which are not "
            f"installed ({', '.join(missing)} missing)",
            hint=f"install them with: {INSTALL_HINT}")


def main(args: Parsed) -> int:
    from exitkit.scan.report import FORMATS, RENDER
    from exitkit.text import escape, quoted

    fmt = "json" if args.flag("json") else (args.text("format") or "text")
    if fmt not in FORMATS:
        raise ExitkitError("usage", f"unknown format {quoted(fmt)}",
                           hint="choose one of: " + ", ".join(FORMATS))
    require_parser()
    from exitkit.scan.engine import Scanner
    from exitkit.scan.inputs import collect
    from exitkit.scan.model import FileError

    paths = args.words("paths") or ["."]
    files, problems = collect(paths, args.words("exclude"))
    errors = [FileError(path, why) for path, why in problems]
    scanner = Scanner()
    findings = []
    for path, kind in files:
        found, error = scanner.scan(path, kind)
        findings.extend(found)
        if error is not None:
            errors.append(error)
    if fmt != "github":  # annotations say it there
        for error in errors:
            write_stderr(f"exitkit: {escape(error.file)}: {escape(error.message)}\n")
    write_stdout(RENDER[fmt](findings, errors, len(files)))
    return CHECK_FAILED if findings or errors else SUCCESS
