"""The typer command line: parses options, calls the core, prints. No logic of its own."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn, Optional

import typer

from exitkit import __version__
from exitkit.errors import ExitkitError, report, status

app = typer.Typer(
    name="exitkit",
    help=(
        "Exit-code contracts as data: named constants for shell scripts, an exact-exit-code "
        "wrapper for CI steps, and explanations of what a status means."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (errors too).")]
ContractArg = Annotated[str, typer.Argument(help="Contract name (search path) or TOML file.")]


def _fail(err: ExitkitError, as_json: bool) -> NoReturn:
    raise typer.Exit(report(err, as_json=as_json))


@contextmanager
def _errors(as_json: bool = False) -> Iterator[None]:
    """Turn exitkit's own errors into one stderr line (or JSON object) and its exit status."""
    try:
        yield
    except ExitkitError as err:
        _fail(err, as_json)


def _version(value: bool) -> None:
    if value:
        print(f"exitkit {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Exit-code contracts as data."""


@app.command("list")
def list_cmd(as_json: JsonOption = False) -> None:
    """List the contracts exitkit can find, and where each was found.

    Search order: $EXITKIT_PATH, ./.exitkit/, $XDG_CONFIG_HOME/exitkit/contracts, built-ins.
    A name found twice is shadowed by the first.
    """
    from exitkit.contracts.loader import catalog
    from exitkit.contracts.render import columns

    rows = catalog()
    if as_json:
        import json

        print(json.dumps({"contracts": rows}, indent=2, ensure_ascii=False))
        return
    table = [["NAME", "VERSION", "WHERE", "SUMMARY"]]
    for row in rows:
        where = str(row["where"]) + (" (shadowed)" if row["shadowed"] else "")
        summary = str(row.get("summary", "")) if "error" not in row else f"INVALID: {row['error']}"
        table.append([str(row["name"]), str(row.get("version", "-")), where, summary])
    sys.stdout.write(columns(table))


@app.command()
def show(
    contract: ContractArg,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="table, markdown (a docs page), json or toml."),
    ] = "table",
    as_json: JsonOption = False,
) -> None:
    """Show one contract: a table for the terminal, a Markdown docs table, JSON or TOML."""
    from exitkit.contracts.loader import load
    from exitkit.contracts.render import FORMATS, render

    if as_json:
        fmt = "json"
    if fmt not in FORMATS:
        _fail(ExitkitError("usage", f"unknown format {fmt!r}",
                           hint="choose one of: " + ", ".join(FORMATS)), as_json)
    with _errors(as_json):
        sys.stdout.write(render(load(contract), fmt))


@app.command()
def explain(
    code: Annotated[
        str, typer.Argument(help="Exit status (137), exit name, or string error code.")
    ],
    contract: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Option("--contract", "-c", help="Contract whose table to use."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Say what an exit status means.

    Without -c: shell conventions and signal deaths (137 → killed by signal 9, SIGKILL).
    With -c: the contract's entry, then the shell's reading of the same number.
    """
    from exitkit.contracts.explain import explain as do_explain

    with _errors(as_json):
        result = do_explain(code, contract)
    if as_json:
        import json

        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(result)
    if not result.known:
        raise typer.Exit(status("not-found"))


@app.command()
def lint(
    files: Annotated[list[str], typer.Argument(help="Contract files to check.")],
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Check contract files: TOML syntax, schema, duplicates, kinds, unknown keys.

    Prints every problem with its file and field path (exit[3].code). Exits non-zero when a file
    has an error (or, with --strict, a warning).
    """
    from exitkit.contracts.loader import lint_file

    problems = []
    for path in files:
        problems.extend(lint_file(path)[1])
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    failed = errors > 0 or (strict and warnings > 0)
    if as_json:
        import json

        print(json.dumps({"files": files, "errors": errors, "warnings": warnings,
                          "problems": [p.to_dict() for p in problems]}, indent=2,
                         ensure_ascii=False))
    else:
        for problem in problems:
            print(problem)
        verdict = "failed" if failed else "ok"
        print(f"exitkit: lint {verdict}: {errors} error(s), {warnings} warning(s) in "
              f"{len(files)} file(s)", file=sys.stderr)
    if failed:
        raise typer.Exit(status("check-failed"))


@app.command()
def shell(
    words: Annotated[
        Optional[list[str]],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Argument(metavar="[SHELL] [CONTRACT]...",
                       help="bash, zsh, fish or sh (default: detected), then contracts "
                            "(default: the 'shell' contract)."),
    ] = None,
    export: Annotated[bool, typer.Option("--export", help="Export the constants.")] = False,
    prefix: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Option("--prefix", help="Constant prefix instead of the contract's (one contract)."),
    ] = None,
) -> None:
    """Print sourceable shell code: a constant per exit code and lookup functions.

    bash/zsh/sh:  eval "$(exitkit shell bash proxxx)"
    fish:         exitkit shell fish proxxx | source
    """
    from exitkit.shells.command import generate

    with _errors():
        sys.stdout.write(generate(list(words or []), export=export, prefix=prefix))


@app.command()
def diff(
    old: Annotated[str, typer.Argument(
        help="Old contract: name or TOML file (with --git: the working FILE).")],
    new: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Argument(help="New contract: name or TOML file."),
    ] = None,
    git: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Option("--git", metavar="REV",
                     help="Compare FILE as committed at REV with the working FILE."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Stability check: does NEW's version bump cover its changes from OLD?

    \b
    minor: an exit or error code added.
    major: removed, renumbered, renamed or re-kinded; retryable flipped; an error code removed
           or mapped to another exit; prefix or name changed.
    patch: meaning, when, recovery, hint or summary reworded.
    While OLD is 0.x a minor bump may break. Exits 1 when the bump is too small or a downgrade.
    """
    from exitkit.contracts.loader import load, load_file
    from exitkit.contracts.stability import compare, load_at_revision

    with _errors(as_json):
        if git is not None:
            if new is not None:
                raise ExitkitError("usage", "--git takes one FILE, not OLD and NEW",
                                   hint="exitkit diff --git HEAD~1 contracts/tool.toml")
            after = load_file(old)
            before = load_at_revision(git, old)
        else:
            if new is None:
                raise ExitkitError("usage", "diff needs OLD and NEW (or --git REV FILE)",
                                   hint="exitkit diff old.toml new.toml")
            before, after = load(old), load(new)
        result = compare(before, after)
    if as_json:
        import json

        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        print("\n".join(result.lines()))
    if not result.ok:
        raise typer.Exit(status("check-failed"))


@app.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                      "help_option_names": []},
    add_help_option=False,
)
def run(ctx: typer.Context) -> None:
    """Run a command; pass its exit code through; timeouts, --ok tolerance, retries.

    See 'exitkit run --help'.
    """
    from exitkit.run.command import main as run_main

    raise typer.Exit(run_main(list(ctx.args)))


@app.command()
def completion(
    shell_name: Annotated[str, typer.Argument(metavar="SHELL", help="bash, zsh or fish.")],
) -> None:
    """Print the tab-completion script for bash, zsh or fish.

    bash: eval "$(exitkit completion bash)"   zsh: eval "$(exitkit completion zsh)"
    fish: exitkit completion fish | source   (or save it in ~/.config/fish/completions/)
    Contract names, exit names and kinds complete too: exitkit run -c proxxx --ok not<TAB>
    """
    from exitkit.complete import COMPLETION_SHELLS, script

    if shell_name not in COMPLETION_SHELLS:
        _fail(ExitkitError("usage", f"no completion for {shell_name!r}",
                           hint="choose one of: " + ", ".join(COMPLETION_SHELLS)), False)
    sys.stdout.write(script(shell_name))


def _click_exceptions() -> Any:
    """click's exception classes: typer 0.22+ vendors click as ``typer._click``, older typer
    depends on click itself."""
    import importlib

    try:
        return importlib.import_module("typer._click.exceptions")
    except ImportError:
        return importlib.import_module("click.exceptions")


def run_app(args: list[str]) -> int:
    """Run the typer app on *args*; return the exit status instead of exiting.

    Usage errors come out like every other error of exitkit's: one ``exitkit:`` line and a hint
    (or one JSON object with ``--json``), not click's usage block.
    """
    exceptions = _click_exceptions()
    if not args:
        args = ["--help"]
    try:
        result = app(args=args, prog_name="exitkit", standalone_mode=False)
    except exceptions.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "exitkit"
        err = ExitkitError("usage", exc.format_message(), hint=f"see '{where} --help'")
        return report(err, as_json="--json" in args)
    except typer.Abort:
        return 130
    except exceptions.ClickException as exc:
        return report(ExitkitError("usage", exc.format_message()), as_json="--json" in args)
    return result if isinstance(result, int) else 0
