"""The read-only commands through the real console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXITKIT as EXITKIT_BIN
from conftest import run_exitkit, unprivileged
from exitkit.contracts.loader import load
from procs import NEEDS_DEV_FULL

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, as the tomli package
    import tomli as tomllib


def test_show_table_lists_every_code() -> None:
    result = run_exitkit("show", "proxxx")
    assert result.returncode == 0
    for code, name in [(5, "not-found"), (7, "cluster-transient")]:
        assert any(line.split()[:2] == [str(code), name] for line in result.stdout.splitlines())


def test_show_markdown_is_a_docs_table() -> None:
    out = run_exitkit("show", "raid", "--format", "markdown").stdout
    assert "| Code | Name | Kind | Meaning | When | Recovery |" in out
    assert "| 5 | `not-found` |" in out
    assert "`REPO_NOT_CLONED`" in out


def test_show_json_holds_everything_including_error_codes() -> None:
    data = json.loads(run_exitkit("show", "raid", "--json").stdout)
    assert data["name"] == "raid"
    assert {e["code"] for e in data["error"]} >= {"REPO_NOT_CLONED", "CLONE_FAILED"}
    assert data["origin"] == "built-in"


def test_list_marks_every_unusable_file_and_nothing_waits_on_it(world: Path) -> None:
    found = world / ".exitkit"
    found.mkdir()
    os.mkfifo(found / "fifo.toml")
    (found / "dangling.toml").symlink_to("nowhere.toml")
    (found / "l1.toml").symlink_to("l2.toml")
    (found / "l2.toml").symlink_to("l1.toml")
    (found / "dir.toml").mkdir()
    result = run_exitkit("list", timeout=30)
    assert result.returncode == 0
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    for name in ("fifo", "dangling", "l1", "l2", "dir"):
        assert "INVALID: " in rows[name], result.stdout
    shown = run_exitkit("show", "fifo", timeout=30)
    assert (shown.returncode, shown.stderr.splitlines()[0]) == (
        4, "exitkit: .exitkit/fifo.toml: is not a regular file")
    # the command named like it: a contract that cannot be used is said so, never waited on
    ran = run_exitkit("run", "--", "fifo", timeout=30)
    assert ran.returncode == 125 and "is not a regular file" in ran.stderr
    assert run_exitkit("run", "--", "true", timeout=30).returncode == 0


def test_a_directory_named_twice_on_the_path_is_searched_once(world: Path) -> None:
    (world / "p1").mkdir()
    (world / "p1" / "svc.toml").write_text(
        'name = "svc"\nversion = "2.0.0"\nsummary = "Local tool"\n[[exit]]\ncode = 0\n'
        'name = "success"\nkind = "success"\nmeaning = "OK"\n')
    env = dict(os.environ, EXITKIT_PATH=f"p1{os.pathsep}p1/{os.pathsep}p1")
    data = json.loads(run_exitkit("list", "--json", env=env).stdout)
    assert [row["where"] for row in data["contracts"] if row["name"] == "svc"] == [
        os.path.join("p1", "svc.toml")]


@pytest.mark.parametrize(
    "name", ["rune", "runmark", "proxxx", "bcdock", "raid", "shell", "sysexits", "exitkit", "curl"]
)
def test_show_toml_round_trips(name: str, tmp_path: Path) -> None:
    out = run_exitkit("show", name, "--format", "toml").stdout
    tomllib.loads(out)
    path = tmp_path / f"{name}.toml"
    path.write_text(out)
    assert load(str(path)).to_dict() == load(name).to_dict()


def test_show_markdown_escapes_pipes_and_newlines(tmp_path: Path) -> None:
    path = tmp_path / "svc.toml"
    path.write_text('name = "svc"\nversion = "1.0.0"\nsummary = "s"\n[[exit]]\ncode = 0\n'
                    'name = "success"\nkind = "success"\nmeaning = "a | b\\nc"\n')
    out = run_exitkit("show", str(path), "--format", "markdown").stdout
    assert "a \\| b<br>c" in out


def test_list_shows_builtins_and_search_path(world: Path) -> None:
    (world / ".exitkit").mkdir()
    (world / ".exitkit" / "svc.toml").write_text(
        'name = "svc"\nversion = "2.0.0"\nsummary = "Local tool"\n[[exit]]\ncode = 0\n'
        'name = "success"\nkind = "success"\nmeaning = "OK"\n')
    (world / ".exitkit" / "broken.toml").write_text("name = \n")
    result = run_exitkit("list")
    assert result.returncode == 0
    assert "Local tool" in result.stdout
    assert "INVALID" in result.stdout
    data = json.loads(run_exitkit("list", "--json").stdout)
    names = {row["name"]: row for row in data["contracts"]}
    assert names["proxxx"]["where"] == "built-in"
    assert names["svc"]["where"] == os.path.join(".exitkit", "svc.toml")


@pytest.mark.parametrize(
    ("args", "status", "needle"),
    [
        (["show", "proxx"], 3, "did you mean 'proxxx'"),
        (["show", "/nonexistent/x.toml"], 3, "no such file"),
        (["show", "proxxx", "--format", "yaml"], 2, "unknown format"),
        (["explain", "-c", "nosuch", "5"], 3, "no contract named 'nosuch'"),
        (["show", "--bogus"], 2, "exitkit: no such option: --bogus\n"),
        (["show", "--jsn", "proxxx"], 2, "no such option: --jsn (did you mean '--json'?)"),
        (["lsit"], 2, "exitkit: no such command: lsit (did you mean 'list' or 'lint'?)\n"),
    ],
)
def test_user_mistakes_give_one_line_and_the_contract_status(
    world: Path, args: list[str], status: int, needle: str
) -> None:
    result = run_exitkit(*args)
    assert result.returncode == status
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_unreadable_non_utf8_and_directory_files_are_clean_errors(world: Path) -> None:
    bad = world / "latin1.toml"
    bad.write_bytes(b'name = "caf\xe9"\n')
    result = run_exitkit("show", str(bad))
    assert result.returncode == 4 and "not UTF-8" in result.stderr
    folder = world / "dir.toml"
    folder.mkdir()
    result = run_exitkit("show", str(folder))
    assert result.returncode == 4 and "is a directory" in result.stderr
    for result in (run_exitkit("show", str(bad)), run_exitkit("show", str(folder))):
        assert "Traceback" not in result.stderr


def test_json_errors_are_one_object(world: Path) -> None:
    result = run_exitkit("show", "proxx", "--json")
    assert result.returncode == 3
    data = json.loads(result.stderr)
    assert data["error"]["code"] == "not-found"
    assert data["error"]["kind"] == "not-found"
    assert "proxxx" in data["error"]["message"]
    assert data["error"]["hint"]


def test_python_dash_m_and_version() -> None:
    result = subprocess.run([sys.executable, "-m", "exitkit", "--version"], capture_output=True,
                            text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("exitkit ")


def test_help_lists_every_command_with_its_summary() -> None:
    from exitkit.cli.spec import COMMANDS

    result = run_exitkit("--help")
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "Usage: exitkit [OPTIONS] COMMAND [ARGS]..."
    listed = lines[lines.index("Commands:") + 1:lines.index("Options:") - 1]
    assert [line.split()[0] for line in listed] == [c.name for c in COMMANDS]
    assert [line.split(None, 1)[1] for line in listed] == [c.summary for c in COMMANDS]
    assert "  run           Run a command with exact exit codes, tolerance, timeouts and " \
           "retries" in lines
    assert run_exitkit().stdout == result.stdout  # no arguments: the same help


def test_statuses_in_code_come_from_exitkits_own_contract() -> None:
    from exitkit.errors import status

    exitkit = load("exitkit")
    for exit in exitkit.exits:
        assert status(exit.name) == exit.code


@pytest.mark.parametrize(("args", "needle"), [
    (["bogus"], "no such command: bogus"),
    (["show", "proxxx", "--bogus"], "no such option: --bogus"),
    (["show"], "missing argument CONTRACT"),
    (["show", "a", "b"], "unexpected argument b"),
    (["explain", "-c"], "-c needs a value (CONTRACT)"),
    (["lint", "--strict=yes", "x.toml"], "--strict takes no value"),
])
def test_usage_errors_are_one_exitkit_line_or_one_json_object(
    args: list[str], needle: str
) -> None:
    result = run_exitkit(*args)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith("exitkit: ") and needle in lines[0]
    assert all(line.startswith("exitkit: ") for line in lines)
    data = json.loads(run_exitkit(*args, "--json").stderr)
    assert data["error"]["code"] == "usage" and needle in data["error"]["message"]


def test_markdown_escapes_html(tmp_path: Path) -> None:
    path = tmp_path / "svc.toml"
    path.write_text('name = "svc"\nversion = "1.0.0"\nsummary = "s"\n[[exit]]\ncode = 0\n'
                    'name = "success"\nkind = "success"\n'
                    'meaning = "<img src=x onerror=alert(1)>"\n')
    out = run_exitkit("show", str(path), "--format", "markdown").stdout
    assert "<img" not in out and "&lt;img src=x onerror=alert(1)&gt;" in out


@NEEDS_DEV_FULL
def test_a_full_disk_on_stdout_is_one_clean_line() -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run([EXITKIT_BIN, "list"], stdout=full, stderr=subprocess.PIPE,
                                text=True)
        as_json = subprocess.run([EXITKIT_BIN, "list", "--json"], stdout=full,
                                 stderr=subprocess.PIPE, text=True)
    # output-failed (74), not internal (70): no bug to report, no traceback
    assert (result.returncode, result.stderr) == (
        74, "exitkit: cannot write output: No space left on device\n")
    assert as_json.returncode == 74
    assert json.loads(as_json.stderr)["error"]["code"] == "output-failed"


def test_a_closed_stdout_is_output_failed() -> None:
    result = subprocess.run([EXITKIT_BIN, "list"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, preexec_fn=lambda: os.close(1))
    assert (result.returncode, result.stderr) == (
        74, "exitkit: cannot write output: Bad file descriptor\n")


def test_an_unreadable_contract_is_a_clean_error(public_dir: Path) -> None:
    secret = public_dir / "secret.toml"
    secret.write_text('name = "secret"\n')
    secret.chmod(0o600)  # the test's user may read it; the unprivileged one may not
    result = subprocess.run(unprivileged([EXITKIT_BIN, "show", str(secret)]), capture_output=True,
                            text=True, timeout=60)
    assert (result.returncode, result.stdout) == (4, "")
    assert result.stderr == (f"exitkit: {secret}: cannot read: Permission denied\n"
                             f"exitkit: hint: run 'exitkit lint {secret}' to see every problem\n")


def test_markdown_shows_hostile_text_as_written_and_sends_the_terminal_nothing(
        tmp_path: Path) -> None:
    """`show --format markdown` of a contract with escape sequences, HTML, backticks, pipes and
    odd line breaks: no control character reaches stdout (the table format already escaped them),
    and each code span renders as the text itself (found by review: error codes went through
    the cell escaping, whose entities a code span shows literally; a pattern outside the table
    had its `|` escaped)."""
    from markdown_it import MarkdownIt

    path = tmp_path / "svc.toml"
    path.write_text(
        'name = "svc"\nversion = "1.0.0"\n'
        '[[exit]]\ncode = 0\nname = "success"\nkind = "success"\n'
        'meaning = "plain \\u001b]0;pwned\\u0007 \\u001b[2J cleared"\n'
        '[[exit]]\ncode = 5\nname = "not-found"\nkind = "not-found"\nmeaning = "gone"\n'
        '[[error]]\ncode = "E<1>&\\\\x"\nexit = "not-found"\nmeaning = "m"\n'
        '[[error]]\ncode = "E`2"\nexit = "not-found"\nmeaning = "m"\n'
        '[stderr]\nerrors = [\'^(Error|error): \', "^fatal\\u0085x"]\n'
        '[[outcome]]\nname = "gone"\ncodes = [5]\nkind = "not-found"\n'
        'pattern = \'not (found|there)\'\nmeaning = "m"\n', encoding="utf-8")
    out = run_exitkit("show", str(path), "--format", "markdown").stdout
    assert not [ch for ch in out if (ord(ch) < 32 and ch != "\n") or 0x7f <= ord(ch) < 0xa0]
    assert "plain \\\\e]0;pwned\\\\x07 \\\\e[2J cleared" in out  # renders as \e]0;…
    tokens = MarkdownIt("commonmark").enable("table").parse(out)
    spans = [child.content for token in tokens if token.type == "inline"
             for child in token.children or [] if child.type == "code_inline"]
    assert "E<1>&\\x" in spans and "E`2" in spans
    assert "not (found|there)" in spans  # in the table: GFM takes the \| back to |
    assert "^(Error|error): " in spans  # outside the table: as written
    assert "^fatal\\x85x" in spans  # a line break is shown escaped, not as a space
