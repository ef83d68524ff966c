"""``exitkit scan [PATH…] [--format text|json|sarif|github] [--exclude GLOB] [--diff]
[--config FILE | --no-config]``."""

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

    given = args.text("format")
    if args.flag("json") and given not in (None, "json"):
        raise ExitkitError("usage", f"--json and --format {given} ask for two formats",
                           hint="give one: --json is --format json")
    fmt = "json" if args.flag("json") else (given or "text")
    if fmt not in FORMATS:
        raise ExitkitError("usage", f"unknown format {quoted(fmt)}",
                           hint="choose one of: " + ", ".join(FORMATS))
    if args.flag("diff") and (args.flag("json") or args.text("format") not in (None, "text")):
        raise ExitkitError("usage", "--diff prints a diff: it takes no --format or --json")
    if args.flag("no_config") and args.text("config") is not None:
        raise ExitkitError("usage", "--config and --no-config contradict each other")
    from exitkit.scan import config

    paths = args.words("paths") or ["."]
    settings = config.load(None if args.flag("no_config")
                           else args.text("config") or config.find(config.start(paths)))
    require_parser()
    from exitkit.scan.engine import Scanner
    from exitkit.scan.inputs import collect
    from exitkit.scan.model import FileError, Finding

    files, problems = collect(paths, args.words("exclude"), settings.excludes)
    errors = [FileError(path, why) for path, why in problems]
    scanner = Scanner()
    findings: list[Finding] = []
    for path, kind in files:
        found, error = scanner.scan(path, kind)
        findings.extend(f for f in found if not settings.drops(path, f.id))
        if error is not None:
            errors.append(error)
    if fmt != "github":  # annotations say it there
        for error in errors:
            write_stderr(f"exitkit: {escape(error.file)}: {escape(error.message)}\n")
    if args.flag("diff"):
        from exitkit.scan.report import diff

        patch, count = diff(findings, scanner.sources)
        write_stdout(patch, utf8=True)  # a script's own bytes, as read
        rest = len(findings) - count
        left = "1 finding needs" if rest == 1 else f"{rest} findings need"
        write_stderr("exitkit: no findings\n" if not findings else
                     f"exitkit: {count} mechanical rewrite{'s' if count != 1 else ''} in the "
                     f"diff; {left} a person"
                     f"{' (exitkit scan without --diff lists them)' if rest else ''}\n")
    else:
        write_stdout(RENDER[fmt](findings, errors, len(files)), utf8=fmt != "text")
    return CHECK_FAILED if findings or errors else SUCCESS


