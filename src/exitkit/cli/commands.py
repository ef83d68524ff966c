"""The commands behind ``exitkit list|show|explain|lint|shell|diff|completion|scan``.

Each is a plain function from parsed arguments to an exit status: it calls the core, prints, and
raises :class:`~exitkit.errors.ExitkitError` for the user's mistakes. What each command accepts
lives in :mod:`exitkit.cli.spec`; nothing here parses.
"""

from __future__ import annotations

import sys

from exitkit._status import CHECK_FAILED, SUCCESS
from exitkit.errors import ExitkitError, write_stdout
from exitkit.text import quoted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from exitkit.cli.parse import Parsed


def _json(data: object) -> None:
    import json

    write_stdout(json.dumps(data, indent=2, ensure_ascii=False) + "\n", utf8=True)


def list_cmd(args: Parsed) -> int:
    from exitkit.contracts.loader import catalog
    from exitkit.contracts.render import columns
    from exitkit.text import escape

    rows = catalog()
    if args.flag("json"):
        _json({"contracts": rows})
        return SUCCESS
    table = [["NAME", "VERSION", "WHERE", "SUMMARY"]]
    for row in rows:
        where = escape(str(row["where"])) + (" (shadowed)" if row["shadowed"] else "")
        if "error" in row:
            summary = f"INVALID: {escape(str(row['error']))}"
        else:
            summary = escape(str(row.get("summary") or ""))
            match = row.get("match")
            if isinstance(match, dict):
                from exitkit.contracts.model import Match

                covers = escape(Match(**match).describe())
                summary = f"[for {covers}] {summary}".rstrip()
        table.append([str(row["name"]), escape(str(row.get("version", "-"))), where, summary])
    write_stdout(columns(table))
    return SUCCESS


def show(args: Parsed) -> int:
    from exitkit.contracts.loader import load
    from exitkit.contracts.render import FORMATS, render

    fmt = "json" if args.flag("json") else (args.text("format") or "table")
    if fmt not in FORMATS:
        raise ExitkitError("usage", f"unknown format {quoted(fmt)}",
                           hint="choose one of: " + ", ".join(FORMATS))
    write_stdout(render(load(str(args.text("contract"))), fmt), utf8=fmt != "table")
    return SUCCESS


def explain(args: Parsed) -> int:
    from exitkit.contracts.explain import explain as do_explain
    from exitkit.contracts.resolve import contract_for

    explicit, argv = args.text("contract"), args.words("argv")
    contract = contract_for(argv, explicit) if argv else explicit
    result = do_explain(str(args.text("code")), contract)
    if not result.known and result.contract is not None:
        name = result.contract.name
        hints = [f"'exitkit show {name}' lists its codes"]
        reading = result.shell_reading()
        if reading is not None:
            hints.insert(0, f"the shell reads {result.code} as {reading}")
        raise ExitkitError("not-found", f"{quoted(result.query)} is not defined by {name}'s "
                           "contract", hint="; ".join(hints))
    if args.flag("json"):
        _json(result.to_dict())
    else:
        write_stdout(str(result) + "\n")
    return SUCCESS


def lint(args: Parsed) -> int:
    from exitkit.contracts.loader import lint_file
    from exitkit.errors import write_stderr

    files = args.words("files")
    if not files:
        raise ExitkitError("usage", "missing argument FILE...", hint="exitkit lint FILE...")
    problems = []
    for path in files:
        problems.extend(lint_file(path)[1])
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    failed = errors > 0 or (args.flag("strict") and warnings > 0)
    if args.flag("json"):
        _json({"files": files, "errors": errors, "warnings": warnings,
               "problems": [p.to_dict() for p in problems]})
    else:
        from exitkit.text import escape

        write_stdout("".join(escape(str(problem)) + "\n" for problem in problems))
        sys.stdout.flush()
        verdict = "failed" if failed else "ok"
        write_stderr(f"exitkit: lint {verdict}: {errors} error(s), {warnings} warning(s) in "
                     f"{len(files)} file(s)\n")
    return CHECK_FAILED if failed else SUCCESS


def shell(args: Parsed) -> int:
    from exitkit.shells.command import generate, print_failing_code

    words = args.words("words")
    try:
        code = generate(words, export=args.flag("export"), prefix=args.text("prefix"))
    except Exception:
        print_failing_code(words)  # the eval fails too: a strict script stops here
        raise
    write_stdout(code, utf8=True)  # the contract's text byte for byte, whatever the locale
    return SUCCESS


def diff(args: Parsed) -> int:
    from exitkit.contracts.loader import load, load_file
    from exitkit.contracts.stability import compare, load_at_revision

    old, new, rev = args.text("old"), args.text("new"), args.text("git")
    assert old is not None
    if rev is not None:
        if new is not None:
            raise ExitkitError("usage", "--git takes one FILE, not OLD and NEW",
                               hint="exitkit diff --git HEAD~1 exitkit/tool.toml")
        after = load_file(old)
        before = load_at_revision(rev, old)
    else:
        if new is None:
            raise ExitkitError("usage", "missing argument NEW: give OLD and NEW, or --git REV FILE",
                               hint="exitkit diff old.toml new.toml")
        before, after = load(old), load(new)
    result = compare(before, after)
    if args.flag("json"):
        _json(result.to_dict())
    else:
        write_stdout("\n".join(result.lines()) + "\n")
    return SUCCESS if result.ok else CHECK_FAILED


def import_cmd(args: Parsed) -> int:
    from exitkit.contracts.importer import import_page
    from exitkit.errors import write_stderr

    source = str(args.text("source"))
    toml, exits, errors = import_page(source, args.text("name"))
    output = args.text("output")
    as_json = args.flag("json")
    if output is None:
        if not as_json:
            write_stdout(toml, utf8=True)
    else:
        import os

        folder = os.path.dirname(output)
        try:
            if folder and not os.path.isdir(folder):  # `-o .exitkit/mytool.toml`, a new project
                os.makedirs(folder)
        except OSError as exc:
            raise ExitkitError("output-failed",
                               f"cannot create {quoted(folder)}: {exc.strerror or exc}") from None
        try:
            with open(output, "x", encoding="utf-8") as fh:
                fh.write(toml)
        except FileExistsError:
            raise ExitkitError("usage", f"{quoted(output)} exists; exitkit import never "
                               "overwrites a file", hint="choose another -o FILE, or remove it"
                               ) from None
        except OSError as exc:
            raise ExitkitError("output-failed",
                               f"cannot write {quoted(output)}: {exc.strerror or exc}") from None
    guessed = toml.count("  # check")
    if as_json:
        _json({"source": source, "output": output, "exit_codes": exits, "error_codes": errors,
               "kinds_guessed": guessed, "draft": None if output is not None else toml})
        return SUCCESS
    write_stderr(f"exitkit: {exits} exit code(s) and {errors} error code(s) from "
                 f"{quoted(source)}; {guessed} kind(s) guessed, marked '# check': review them\n")
    return SUCCESS


def completion(args: Parsed) -> int:
    from exitkit.cli.complete import COMPLETION_SHELLS, FISH_BIND_TAB, script

    name = str(args.text("shell"))
    if name not in COMPLETION_SHELLS:
        raise ExitkitError("usage", f"no completion for {quoted(name)}",
                           hint="choose one of: " + ", ".join(COMPLETION_SHELLS))
    bind_tab = args.flag("bind_tab")
    if bind_tab and name != "fish":
        raise ExitkitError("usage", "--bind-tab is for fish",
                           hint=f"{name} already completes with the whole line")
    write_stdout(script(name) + (FISH_BIND_TAB if bind_tab else ""), utf8=True)
    return SUCCESS


def scan(args: Parsed) -> int:
    from exitkit.scan.command import main

    return main(args)


#: Command name → its function (``run`` is :func:`exitkit.run.command.main`).
HANDLERS: dict[str, Callable[[Parsed], int]] = {
    "list": list_cmd,
    "show": show,
    "explain": explain,
    "lint": lint,
    "shell": shell,
    "diff": diff,
    "import": import_cmd,
    "completion": completion,
    "scan": scan,
}
