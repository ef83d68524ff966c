"""`exitkit import`: a contract from a page that already documents a tool's exit codes.

Inputs are real: the five seed pages this project started from (read from ../shared/seeds/ as
input, skipped where that folder is absent, as in a user's clone) and real man pages
(tests/fixtures/man/, sources in SOURCES.md). The built-in contracts were written by hand from
the same pages, so an import must find the same codes.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from conftest import ROOT, Tools, run_exitkit
from exitkit.contracts.importer import guess_kind, import_page, kebab_name
from exitkit.contracts.loader import load_builtin, parse_contract
from exitkit.contracts.model import Contract

SEEDS = ROOT.parent / "shared" / "seeds"
MAN = ROOT / "tests" / "fixtures" / "man"

#: seed page → the built-in written from it
SEED_CONTRACTS = {"000": "rune", "001": "runmark", "002": "proxxx", "003": "bcdock",
                  "004": "raid"}


def seed(prefix: str) -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"the seed pages are read from {SEEDS}, which this checkout does not have")
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


def imported_contract(source: str | Path, name: str) -> Contract:
    """The contract `exitkit import` makes of *source*, loaded back (it must lint clean)."""
    import sys

    toml, _, _ = import_page(str(source), name)
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    contract, problems = parse_contract(tomllib.loads(toml), "imported.toml")
    assert contract is not None, problems
    assert not [p for p in problems if p.severity == "error"]
    return contract


def imported(source: str | Path, name: str) -> tuple[dict[int, str], dict[str, str]]:
    """codes → kind and error codes → exit name of the contract `exitkit import` makes."""
    contract = imported_contract(source, name)
    return ({e.code: e.kind for e in contract.exits},
            {err.code: err.exit for err in contract.errors})


@pytest.mark.parametrize(("prefix", "builtin"), sorted(SEED_CONTRACTS.items()))
def test_each_seed_page_gives_the_codes_of_its_builtin(prefix: str, builtin: str) -> None:
    codes, _ = imported(seed(prefix), builtin)
    contract = load_builtin(builtin)
    assert sorted(codes) == sorted(e.code for e in contract.exits)
    if builtin in ("runmark", "raid"):  # the pages that say which exit each error code has
        draft = imported_contract(seed(prefix), builtin)
        # each error code exits with the same number as in the built-in
        assert {err.code: draft.exit_of(err).code for err in draft.errors} == {
            err.code: contract.exit_of(err).code for err in contract.errors}


def test_raid_categories_become_names_and_kinds_without_a_guess() -> None:
    toml, _, _ = import_page(str(seed("004")), "raid")
    assert 'name = "not-found"\nkind = "not-found"\n' in toml
    assert 'name = "network"\nkind = "network"\n' in toml
    assert 'code = "CLONE_FAILED"\nexit = "network"' in toml


@pytest.mark.parametrize(("page", "builtin", "exact"), [
    ("grep", "grep", True), ("diff", "diff", True), ("timeout", "timeout", True),
    ("shellcheck", "shellcheck", True),
    ("curl", "curl", False),  # 7.88's page lists fewer codes than today's curl
    ("rsync", "rsync", False),  # the page leaves out 6 (daemon log), which errcode.h has
])
def test_real_man_pages_give_the_codes_of_the_builtin(page: str, builtin: str,
                                                      exact: bool) -> None:
    codes, _ = imported(MAN / f"{page}.1.gz", builtin)
    expected = {e.code for e in load_builtin(builtin).exits}
    if exact:
        assert set(codes) == expected
    elif page == "rsync":
        assert set(codes) == expected - {6}
    else:
        assert set(codes) <= expected and len(codes) >= 80


def test_a_sentence_in_the_description_is_read_when_there_is_no_section() -> None:
    """diff's page says it in DESCRIPTION: 'Exit status is 0 if inputs are the same, 1 if
    different, 2 if trouble.'"""
    toml, exits, _ = import_page(str(MAN / "diff.1.gz"), "diff")
    assert exits == 3
    assert 'meaning = "Inputs are the same"' in toml
    assert 'meaning = "Trouble"' in toml


def test_the_cli_writes_a_contract_that_lints(tmp_path: Path) -> None:
    out = tmp_path / "grep.toml"
    result = run_exitkit("import", str(MAN / "grep.1.gz"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == (f"exitkit: 3 exit code(s) and 0 error code(s) from "
                             f"'{MAN / 'grep.1.gz'}'; 2 kind(s) guessed, marked '# check': "
                             "review them\n")
    assert run_exitkit("lint", str(out)).returncode == 0
    text = out.read_text()
    assert text.startswith("# Imported by `exitkit import` from ")
    assert 'name = "grep"' in text  # from the page's .TH
    assert f'source = "{MAN / "grep.1.gz"}"' in text
    again = run_exitkit("import", str(MAN / "grep.1.gz"), "-o", str(out))
    assert (again.returncode, again.stderr.splitlines()[0]) == (
        2, f"exitkit: '{out}' exists; exitkit import never overwrites a file")


def test_the_output_folder_is_created_and_a_write_failure_is_an_output_failure(
        tmp_path: Path) -> None:
    """`exitkit import PAGE -o .exitkit/mytool.toml` in a project without `.exitkit/` yet (the
    flow docs/authors.md gives); a folder that cannot be made is exitkit's 74, not a usage error."""
    page = tmp_path / "exit-codes.md"
    page.write_text("## Exit codes\n\n| Code | Meaning |\n|---|---|\n| 0 | ok |\n"
                    "| 5 | Resource not found |\n")
    out = tmp_path / "project" / ".exitkit" / "mytool.toml"
    result = run_exitkit("import", str(page), "--name", "mytool", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert run_exitkit("lint", str(out)).returncode == 0
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    failed = run_exitkit("import", str(page), "--name", "mytool", "-o",
                         str(blocker / "x" / "mytool.toml"))
    assert failed.returncode == 74
    assert failed.stderr.startswith(f"exitkit: cannot create '{blocker / 'x'}': ")
    assert not (blocker.parent / "x").exists()


def test_json_says_what_was_drafted(tmp_path: Path) -> None:
    page = MAN / "grep.1.gz"
    result = run_exitkit("import", str(page), "--json")
    assert result.returncode == 0 and result.stderr == ""
    data = json.loads(result.stdout)
    assert {k: v for k, v in data.items() if k != "draft"} == {
        "source": str(page), "output": None, "exit_codes": 3, "error_codes": 0,
        "kinds_guessed": 2}
    assert data["draft"] == run_exitkit("import", str(page)).stdout
    out = tmp_path / "grep.toml"
    written = json.loads(run_exitkit("import", str(page), "-o", str(out), "--json").stdout)
    assert (written["output"], written["draft"]) == (str(out), None)
    assert out.read_text() == data["draft"]
    missing = run_exitkit("import", str(tmp_path / "nope.1"), "--json")
    assert missing.returncode == 3 and missing.stdout == ""
    assert json.loads(missing.stderr)["error"]["code"] == "not-found"


def test_man_name_asks_man_for_the_page(tools: Tools) -> None:
    tools("man", f'[ "$1" = -w ] && [ "$2" = shellcheck ] && echo "{MAN / "shellcheck.1.gz"}" '
                 "&& exit 0\nexit 16")
    result = run_exitkit("import", "man:shellcheck")
    assert result.returncode == 0, result.stderr
    assert 'source = "man:shellcheck"' in result.stdout
    missing = run_exitkit("import", "man:no-such-page")
    assert (missing.returncode, missing.stderr.splitlines()[0]) == (
        3, "exitkit: no installed man page for 'no-such-page'")


def test_plain_and_gzipped_pages_read_the_same(tmp_path: Path) -> None:
    plain = tmp_path / "grep.1"
    plain.write_bytes(gzip.decompress((MAN / "grep.1.gz").read_bytes()))
    assert import_page(str(plain))[0].replace(str(plain), "X") == import_page(
        str(MAN / "grep.1.gz"))[0].replace(str(MAN / "grep.1.gz"), "X")


def test_a_page_without_exit_codes_is_a_clear_error(tmp_path: Path) -> None:
    page = tmp_path / "notes.md"
    page.write_text("# Notes\n\nNothing about statuses here.\n| a | b |\n|---|---|\n| 1 | x |\n")
    result = run_exitkit("import", str(page))
    assert result.returncode == 3
    assert result.stderr.splitlines() == [
        f"exitkit: no exit codes found in '{page}': looked for a heading about exit codes or "
        "exit status followed by a table or a list of codes",
        "exitkit: hint: write the contract by hand (docs/contracts.md)",
    ]
    roff = tmp_path / "tool.1"
    roff.write_text('.TH TOOL 1\n.SH NAME\ntool \\- does things\n.SH DESCRIPTION\nIt runs.\n')
    result = run_exitkit("import", str(roff))
    assert result.returncode == 3
    assert "a man page section named EXIT STATUS, EXIT CODES" in result.stderr


def test_an_empty_quoted_tag_is_no_tag(tmp_path: Path) -> None:
    """`.IP "" 4` (ronn and pandoc write it; jq's, xz's and zstd's pages have it)."""
    page = tmp_path / "tool.1"
    page.write_text('.TH TOOL 1\n.SH "EXIT STATUS"\n.IP "" 4\nSome text.\n.TP\n0\nok\n'
                    '.TP\n2\nbad usage\n')
    toml, exits, _ = import_page(str(page))
    assert exits == 2 and 'name = "bad-usage"' in toml


def test_every_man_page_on_this_machine_imports_or_says_why() -> None:
    """Real input: each page in man1 and man8 gives a draft or a clear ExitkitError, never
    another exception (about 18,000 pages on a Debian test machine, 9 s)."""
    from exitkit.errors import ExitkitError

    pages = sorted([*Path("/usr/share/man/man1").glob("*.[18]*"),
                    *Path("/usr/share/man/man8").glob("*.[18]*")])
    if len(pages) < 50:
        pytest.skip("no man pages installed here")
    failed = []
    for page in pages:
        try:
            import_page(str(page))
        except ExitkitError:
            continue
        except Exception as exc:  # what the CLI would show as an internal error
            failed.append(f"{page.name}: {type(exc).__name__}: {exc}")
    assert failed == []


def test_markdown_pages_with_hostile_text_import_as_text(tmp_path: Path) -> None:
    page = tmp_path / "evil.md"
    page.write_text('## Exit codes\n\n| Code | Meaning |\n|---|---|\n'
                    '| 0 | Fine "quoted" \\\\ back |\n'
                    '| 3 | $(touch CANARY) `rm -rf /` \x1b[31m |\n')
    result = run_exitkit("import", str(page))
    assert result.returncode == 0, result.stderr
    toml = tmp_path / "evil.toml"
    toml.write_text(result.stdout)
    assert run_exitkit("lint", str(toml)).returncode == 0
    shown = json.loads(run_exitkit("show", str(toml), "--format", "json").stdout)
    assert [e["meaning"] for e in shown["exit"]] == [
        'Fine "quoted" \\\\ back', "$(touch CANARY) `rm -rf /` \x1b[31m"]
    assert not (tmp_path / "CANARY").exists()


@pytest.mark.parametrize(("meaning", "name"), [
    ("Success.", "success"), ("Generic failure (network, parse, validation).", "generic-failure"),
    ("Usage error — bad flag, missing argument.", "usage-error"),
    ("if COMMAND times out, and --preserve-status is not specified", "command-times-out"),
    ("Conflict / already exists.", "conflict"), ("404 page", "page"),
])
def test_names_come_from_the_first_words_of_the_meaning(meaning: str, name: str) -> None:
    assert kebab_name(meaning) == name


@pytest.mark.parametrize(("code", "text", "kind"), [
    (0, "anything", "success"), (5, "Resource not found", "not-found"),
    (3, "Authentication failure (expired token)", "auth"), (7, "Timeout (rollout)", "timeout"),
    (4, "Rate limited (HTTP 429)", "rate-limited"), (2, "Usage error: bad flag", "usage"),
    (126, "COMMAND is found but cannot be invoked", "not-executable"),
    (127, "COMMAND cannot be found", "command-not-found"), (137, "sent the KILL signal", "signal"),
    (9, "Something else went wrong", "failure"),
])
def test_kinds_are_guessed_from_the_words(code: int, text: str, kind: str) -> None:
    assert guess_kind(code, text) == kind


def test_names_given_or_derived(tmp_path: Path) -> None:
    bad = run_exitkit("import", str(MAN / "grep.1.gz"), "--name", "My Tool")
    assert (bad.returncode, bad.stderr.splitlines()[0]) == (
        2, "exitkit: --name: 'My Tool' is not a kebab-case name")
    page = tmp_path / "42.md"
    page.write_text("## Exit codes\n\n0 ok\n1 failed\n")
    nameless = run_exitkit("import", str(page))
    assert (nameless.returncode, nameless.stderr.splitlines()[0]) == (
        2, f"exitkit: cannot make a contract name from '{page}'")
    named = run_exitkit("import", str(page), "--name", "mytool")
    assert named.returncode == 0 and 'name = "mytool"' in named.stdout
    assert 'name = "grep"' in run_exitkit("import", str(MAN / "grep.1.gz")).stdout


def _codes(tmp_path: Path, name: str, text: str) -> list[tuple[int, str]]:
    page = tmp_path / name
    page.write_text(text)
    from exitkit.contracts.importer import read_source, rows_from_man, rows_from_text

    source, _ = read_source(str(page))
    rows = rows_from_man(source)[1] if name.endswith(".1") else rows_from_text(source)[0]
    return [(row.code, row.meaning) for row in rows]


@pytest.mark.parametrize("text", [
    "## Exit codes\n\n1. `0` — ok\n2. `2` — usage error\n",  # the list's numbers are not codes
    "## Exit codes\n\n- `0`: ok\n- `2`: usage error\n",
    "## Exit codes\n\n* **0** ok\n* **2** usage error\n",
    "## Exit codes\n\n| Code | Meaning |\n|---|---|\n| 0 | ok |\n| 2 | usage error |\n",
])
def test_markdown_lists_and_tables_give_the_marked_codes(text: str, tmp_path: Path) -> None:
    assert _codes(tmp_path, "p.md", text) == [(0, "ok"), (2, "usage error")]


def test_an_escaped_pipe_stays_in_its_cell(tmp_path: Path) -> None:
    text = "## Exit codes\n\n| Code | Meaning |\n|---|---|\n| 3 | a \\| b |\n"
    assert _codes(tmp_path, "p.md", text) == [(3, "a | b")]


def test_a_man_page_as_text_reads_its_exit_codes_heading_and_continued_lines(
        tmp_path: Path) -> None:
    """curl's page through `man curl | col -b`: "exitcode" in the --write-out table is no
    heading, and a code's text goes on over indented lines, a word broken with U+2010."""
    text = ("OPTIONS\n       exitcode       The numerical exitcode of the transfer. (Added in\n"
            "                      7.75.0)\n\nEXIT CODES\n       There are a bunch of codes.\n\n"
            "       0      Success. The operation completed successfully according  to  the\n"
            "\t      instructions.\n\n"
            "       4      A feature was needed to perform the  desired  re\u2010\n"
            "\t      quest.\n")
    assert _codes(tmp_path, "curl.txt", text) == [
        (0, "Success"), (4, "A feature was needed to perform the desired request")]


def test_a_number_that_starts_a_wrapped_line_of_prose_is_no_code(tmp_path: Path) -> None:
    """exitkit's own README once gave `124 gets-mixed-up-with`: its first paragraph speaks of
    exit-code contracts, and a line of that paragraph begins with a number."""
    text = ("# tool\n\nTools publish exit-code contracts, and scripts hand-write `timeout`\n"
            "wrappers whose\n124 gets mixed up with the tool's own codes.\n\n"
            "## Exit codes\n\nThe codes are:\n0 ok\n3 gone\n")
    assert _codes(tmp_path, "p.md", text) == [(0, "ok"), (3, "gone")]
    page = tmp_path / "README.md"
    page.write_text(text.split("## Exit codes")[0])
    result = run_exitkit("import", str(page), "--name", "tool")
    assert (result.returncode, result.stdout) == (3, "")  # invalid-contract, as for any page
    assert result.stderr.startswith("exitkit: no exit codes found in ")


def test_a_table_under_its_column_names_and_rule_is_read(tmp_path: Path) -> None:
    """tput(1) from ncurses 6.4 (Debian 12), DIAGNOSTICS, as `man tput` prints it: the rows
    follow a line of column names and a rule of box-drawing characters."""
    text = ("DIAGNOSTICS\n       tput prints the following error messages  and  sets  the"
            "  corresponding\n       exit codes.\n\n       exit code   error message\n"
            "       " + "\u2500" * 69 + "\n"
            "       0           (capname  is a numeric variable that is not specified in\n"
            "                   the terminfo(5) database for this  terminal  type,  e.g.\n"
            "                   tput -T450 lines and tput -Thp2621 xmc)\n"
            "       1           no error message is printed, see the EXIT CODES section.\n"
            "       2           usage error\n")
    assert [code for code, _ in _codes(tmp_path, "tput.txt", text)] == [0, 1, 2]
    names_only = "EXIT STATUS\n  Code  Meaning\n  0     ok\n  2     usage\n"
    assert _codes(tmp_path, "t.txt", names_only) == [(0, "ok"), (2, "usage")]


def test_roff_characters_become_what_they_print(tmp_path: Path) -> None:
    text = ('.TH FOO 1\n.SH "EXIT VALUES"\n.TP\n1\ncan\\*(Aqt update the file\n.TP\n2\n'
            "the file doesn\\(aqt exist \\(em really\n")
    assert _codes(tmp_path, "foo.1", text) == [
        (1, "can't update the file"), (2, "the file doesn't exist \u2014 really")]
    assert kebab_name("can't update password file") == "cant-update-password-file"


@pytest.mark.parametrize(("code", "text", "kind"), [
    (124, "if COMMAND times out, and --preserve-status is not specified", "timeout"),
    (125, "timeout-command-itself-fails if the timeout command itself fails", "failure"),
    (1, "No processes matched or none of them could be signalled", "failure"),
    (2, "the process was killed by a signal", "signal"),
])
def test_kind_guesses_read_the_phrase_not_the_word(code: int, text: str, kind: str) -> None:
    """timeout's and pgrep's own pages: "times out" is a timeout, "the timeout command" is
    not; "could be signalled" is no death by a signal."""
    assert guess_kind(code, text) == kind
