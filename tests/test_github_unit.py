"""exitkit's GitHub Actions lines, byte for byte, in process (run/report/github.py).

tests/test_github.py runs the action the way the runner does; these pin every line exitkit
writes for each way a run can end, and check each escape against the runner's own parser
(tests/ghrunner.py), so that a wrong character anywhere is a failing test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from exitkit.contracts.model import ExitCode
from exitkit.errors import ExitkitError
from exitkit.run.report import github
from exitkit.run.result import RunResult
from ghrunner import _DATA, _PROPERTY, COMMANDS, _unescape, parse_command, parse_env_file

NOT_FOUND = ExitCode(5, "not-found", "not-found", "Resource not found")
AUTH = ExitCode(4, "auth", "failure", "Authentication / authorization",
                recovery="Refresh the token")


def result(**fields: object) -> RunResult:
    values: dict[str, object] = {"argv": ["proxxx", "delete", "100"], "tool": "proxxx",
                                 "contract": "proxxx", "status": 0, "exit_code": 0,
                                 "outcome": "success"}
    values.update(fields)
    return RunResult(**values)  # type: ignore[arg-type]


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    paths = {name: tmp_path / name.lower() for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")}
    for name, path in paths.items():
        path.write_text("")
        monkeypatch.setenv(name, str(path))
    return paths


class Stderr:
    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.text = ""

    def getvalue(self) -> str:
        self.text += self.capsys.readouterr().err
        return self.text


@pytest.fixture
def stderr(capsys: pytest.CaptureFixture[str]) -> Stderr:
    """What exitkit wrote to stderr so far."""
    return Stderr(capsys)


# --- escaping, checked against the runner's parser ------------------------------------------


HOSTILE = [
    "plain", "100% done", "%25 already escaped", "a\nb", "a\r\nb", "\r", "title: a, b",
    "::error::forged", "x ##[error]forged", "###[warning]", "##\\#[", "#\\#[", "##[##[x",
    "%0A", "é ✓ \u202e", "",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_message_comes_back_as_written_but_for_the_legacy_marker(text: str) -> None:
    line = github.command("error", text, title=text)
    assert "\n" not in line and "\r" not in line
    parsed = parse_command(line, set(COMMANDS))
    assert parsed is not None
    assert (parsed.name, parsed.data) == ("error", github.neutralize(text))
    # the runner drops a property whose value is empty
    assert parsed.properties == ({"title": github.neutralize(text)} if text else {})
    assert "##[" not in line


def test_a_control_character_reaches_no_terminal_through_an_annotation() -> None:
    """Found by review: ESC in a contract's text reached the `::error` line raw (the `exitkit:`
    line showed it escaped). Tab, CR and LF keep their meaning."""
    line = github.command("error", "a\x1b[8mhidden\x1b[0m\x07\x85 b\tc\r\nd", title="t\x1b]0;x")
    parsed = parse_command(line, set(COMMANDS))
    assert parsed is not None
    assert parsed.data == "a\\e[8mhidden\\e[0m\\x07\\x85 b\tc\r\nd"
    assert parsed.properties == {"title": "t\\e]0;x"}


def test_the_escapes_are_the_runners() -> None:
    assert github.escape_data("100%\r\n:,") == "100%25%0D%0A:,"
    assert github.escape_property("100%\r\n:,") == "100%25%0D%0A%3A%2C"
    assert _unescape(github.escape_data("%0A"), _DATA) == "%0A"
    assert _unescape(github.escape_property("a:b,c%3A"), _PROPERTY) == "a:b,c%3A"


@pytest.mark.parametrize(("text", "expected"), [
    ("##[error]x", "#\\#[error]x"),
    ("###[x", "##\\#[x"),
    ("##[##[", "#\\#[#\\#["),
    ("# #[", "# #["),
    ("#[", "#["),
])
def test_neutralize_breaks_every_legacy_marker_and_nothing_else(text: str, expected: str) -> None:
    assert github.neutralize(text) == expected


def test_a_command_line_without_properties() -> None:
    assert github.command("notice", "hi") == "::notice::hi"
    assert github.command("error", "m", title="t", file="f") == "::error title=t,file=f::m"


# --- outputs ---------------------------------------------------------------------------------


def test_a_one_line_output_is_name_equals_value() -> None:
    assert github.output_lines("exit-name", "not-found") == "exit-name=not-found\n"
    assert github.output_lines("exit-name", "") == "exit-name=\n"


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "x\nEXITKIT_\n", "\n"])
def test_a_value_with_a_line_break_is_a_heredoc_the_runner_reads_back(value: str) -> None:
    block = github.output_lines("out", value)
    header, _, rest = block.partition("\n")
    name, _, delimiter = header.partition("<<")
    assert name == "out"
    assert re.fullmatch(r"EXITKIT_[0-9a-f]{32}", delimiter)
    assert rest.endswith(f"\n{delimiter}\n")
    assert dict(parse_env_file(block)) == {"out": value}
    assert github.output_lines("out", value) != block  # a new delimiter every time


def test_the_outputs_of_a_tolerated_run() -> None:
    assert github.outputs(result(status=5, outcome="tolerated", entry=NOT_FOUND)) == (
        "exit-code=0\nraw-exit-code=5\nexit-name=not-found\noutcome=tolerated\n")


def test_a_cancelled_run_says_so_in_its_outcome() -> None:
    run = result(status=124, exit_code=124, outcome="timeout", cause="cancelled", cancelled=True)
    assert github.outcome_of(run) == "cancelled"
    assert github.outputs(run) == (
        "exit-code=124\nraw-exit-code=124\nexit-name=\noutcome=cancelled\n")
    assert github.outcome_of(result(outcome="timeout", cause="timeout")) == "timeout"
    interrupted = result(status=130, exit_code=130, outcome="signal", signal=2, cancelled=True)
    assert github.outcome_of(interrupted) == "cancelled"
    assert github.outcome_of(result(status=130, exit_code=130, outcome="signal")) == "signal"


# --- annotations -----------------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "expected"), [
    ({}, ""),
    ({"status": 5, "outcome": "tolerated", "entry": NOT_FOUND},
     "::notice title=proxxx%3A not-found tolerated::proxxx delete 100 exited 5 (not-found); "
     "tolerated by --ok"),
    ({"status": 3, "outcome": "tolerated"},
     "::notice title=proxxx%3A 3 tolerated::proxxx delete 100 exited 3; tolerated by --ok"),
    ({"status": 124, "exit_code": 124, "outcome": "timeout", "cause": "cancelled"},
     "::error title=proxxx cancelled::proxxx delete 100 was stopped because the run was "
     "cancelled"),
    ({"status": 127, "exit_code": 127, "outcome": "failure", "error": "proxxx: not found"},
     "::error title=proxxx%3A cannot run::proxxx: not found"),
    ({"status": 124, "exit_code": 124, "outcome": "timeout", "cause": "timeout"},
     "::error title=proxxx timed out::proxxx delete 100 was stopped because it timed out; "
     "exitkit exits 124"),
    ({"status": 124, "exit_code": 124, "outcome": "timeout", "cause": "max-time"},
     "::error title=proxxx timed out::proxxx delete 100 was stopped because --max-time ran "
     "out; exitkit exits 124"),
    ({"status": 137, "exit_code": 137, "outcome": "signal", "signal": 9, "cause": "oom"},
     "::error title=proxxx out of memory::proxxx delete 100 was killed by the kernel's "
     "out-of-memory killer (exit 137)"),
    ({"status": 4, "exit_code": 4, "outcome": "failure", "entry": AUTH},
     "::error title=proxxx exited 4 (auth)::proxxx delete 100 exited 4 (auth): "
     "Authentication / authorization%0ARecovery: Refresh the token"),
    ({"status": 5, "exit_code": 5, "outcome": "failure", "entry": NOT_FOUND},
     "::error title=proxxx exited 5 (not-found)::proxxx delete 100 exited 5 (not-found): "
     "Resource not found"),
    ({"status": 42, "exit_code": 42, "outcome": "failure"},
     "::error title=proxxx exited 42::proxxx delete 100 exited 42"),
])
def test_the_annotation_for_each_way_a_run_ends(fields: dict[str, object], expected: str) -> None:
    assert github.annotation(result(**fields)) == expected


def test_the_annotation_names_the_command_as_given_by_as() -> None:
    run = result(status=3, exit_code=3, outcome="failure", command='proxxx rm "$ID" …')
    assert github.annotation(run) == '::error title=proxxx exited 3::proxxx rm "$ID" … exited 3'


# --- the step summary ------------------------------------------------------------------------


def test_the_summary_line() -> None:
    assert github.summary(result()) == "- `proxxx delete 100` → exit 0: **success**\n"
    assert github.summary(result(status=5, exit_code=5, outcome="failure", entry=NOT_FOUND)) == (
        "- `proxxx delete 100` → exit 5 (not-found): **failure** — Resource not found\n")
    tolerated = result(status=5, outcome="tolerated", entry=NOT_FOUND)
    assert github.summary(tolerated).endswith("**tolerated** — Resource not found\n")


def test_a_success_with_a_contract_row_adds_no_meaning() -> None:
    ok = ExitCode(0, "success", "success", "Done")
    assert github.summary(result(entry=ok)) == (
        "- `proxxx delete 100` → exit 0 (success): **success**\n")


@pytest.mark.parametrize(("text", "span"), [
    ("a`b", "``a`b``"),
    ("``", "``` `` ```"),
    ("`x", "`` `x ``"),
    ("x`", "`` x` ``"),
    ("", "` `"),
    (" ", "` `"),
    ("  ", "`  `"),
    (" a ", "`  a  `"),
    (" a", "` a`"),
    ("a\nb", "`a b`"),
])
def test_a_code_span_holds_any_text_literally(text: str, span: str) -> None:
    assert github.code_span(text) == span


def test_markdown_text_is_one_inert_line() -> None:
    assert github.markdown_text("*a* <b> [c](d)\n# e | f_g ~h! +i -j {k} \\") == (
        "\\*a\\* \\<b\\> \\[c\\]\\(d\\) \\# e \\| f\\_g \\~h\\! \\+i \\-j \\{k\\} \\\\")


# --- publishing ------------------------------------------------------------------------------


def test_publish_writes_the_annotation_the_outputs_and_the_summary(
    files: dict[str, Path], stderr: Stderr,
) -> None:
    run = result(status=4, exit_code=4, outcome="failure", entry=AUTH)
    github.publish(run)
    # on a line of its own whatever the command left unfinished on stderr
    assert stderr.getvalue() == "\n" + github.annotation(run) + "\n"
    assert files["GITHUB_OUTPUT"].read_text() == github.outputs(run)
    assert files["GITHUB_STEP_SUMMARY"].read_text() == github.summary(run)


def test_a_success_publishes_no_annotation(files: dict[str, Path], stderr: Stderr) -> None:
    github.publish(result())
    assert stderr.getvalue() == ""
    assert files["GITHUB_OUTPUT"].read_text().endswith("outcome=success\n")


def test_the_reporter_publishes_once_when_cancelling_then_updates_the_outputs(
    files: dict[str, Path], stderr: Stderr,
) -> None:
    reporter = github.GitHubReporter()
    expected = result(status=124, exit_code=124, outcome="timeout", cause="cancelled")
    reporter.cancelling(expected)
    reporter.cancelling(expected)
    final = result(status=130, exit_code=130, outcome="signal", signal=2, cause="cancelled")
    reporter.finished(final)
    assert stderr.getvalue().count("::error") == 1
    assert files["GITHUB_STEP_SUMMARY"].read_text() == github.summary(expected)
    assert dict(parse_env_file(files["GITHUB_OUTPUT"].read_text())) == {
        "exit-code": "130", "raw-exit-code": "130", "exit-name": "", "outcome": "cancelled"}
    assert files["GITHUB_OUTPUT"].read_text() == github.outputs(expected) + github.outputs(final)


def test_the_reporter_publishes_at_the_end_when_nothing_was_cancelled(
    files: dict[str, Path], stderr: Stderr,
) -> None:
    github.GitHubReporter().finished(result(status=3, exit_code=3, outcome="failure"))
    assert stderr.getvalue() == "\n::error title=proxxx exited 3::proxxx delete 100 exited 3\n"
    assert files["GITHUB_STEP_SUMMARY"].read_text() != ""


def test_publish_error_sets_every_output(files: dict[str, Path], stderr: Stderr) -> None:
    github.publish_error(ExitkitError("run-failed", "no command to run: *x*",
                                      hint="see 'exitkit run --help'"))
    assert stderr.getvalue() == ("::error title=exitkit run failed::no command to run: *x*"
                                 "%0AHint: see 'exitkit run --help'\n")
    assert files["GITHUB_OUTPUT"].read_text() == (
        "exit-code=125\nraw-exit-code=125\nexit-name=run-failed\noutcome=error\n")
    assert files["GITHUB_STEP_SUMMARY"].read_text() == (
        "- exitkit run failed: no command to run: \\*x\\*\n")


def test_publish_error_without_a_hint(files: dict[str, Path], stderr: Stderr) -> None:
    github.publish_error(ExitkitError("run-failed", "bad"))
    assert stderr.getvalue() == "::error title=exitkit run failed::bad\n"


def test_no_file_variable_means_nothing_is_written(
    monkeypatch: pytest.MonkeyPatch, stderr: Stderr, tmp_path: Path,
) -> None:
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", "")
    monkeypatch.chdir(tmp_path)
    github.publish(result())
    assert list(tmp_path.iterdir()) == []
    assert stderr.getvalue() == ""


def test_an_unwritable_file_is_one_message_and_no_command(
    monkeypatch: pytest.MonkeyPatch, stderr: Stderr, tmp_path: Path,
) -> None:
    target = tmp_path / "##[error]forged" / "x\n::error::forged"
    monkeypatch.setenv("GITHUB_OUTPUT", str(target))
    github.publish(result())
    message = stderr.getvalue()
    assert message == (f"exitkit: cannot write $GITHUB_OUTPUT ({tmp_path}/##[error]forged/"
                       f"x\\n::error::forged): No such file or directory\n")
    assert message.count("\n") == 1  # one line: no "::" at a line start (##[: see below)


def test_an_error_without_an_errno_is_named_by_its_text(
    monkeypatch: pytest.MonkeyPatch, stderr: Stderr, tmp_path: Path,
) -> None:
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out"))

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("the runner's file system went away")

    monkeypatch.setattr("builtins.open", refuse)
    github.publish(result())
    assert stderr.getvalue() == (f"exitkit: cannot write $GITHUB_OUTPUT ({tmp_path}/out): "
                                 "the runner's file system went away\n")


def test_a_text_that_is_not_utf_8_is_shown_in_the_files(files: dict[str, Path]) -> None:
    github.publish(result(command="proxxx \udcff"))
    assert "`proxxx \\udcff`" in files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8")


def test_the_guard_breaks_every_legacy_marker_exitkit_writes(
    monkeypatch: pytest.MonkeyPatch, stderr: Stderr,
) -> None:
    from exitkit import errors

    errors.write_stderr("exitkit: ##[error]x\n")
    monkeypatch.setattr(errors, "_GUARDED", False)
    errors.guard_workflow_commands()
    errors.write_stderr("exitkit: ##[error]x and ###[y\n")
    assert stderr.getvalue() == "exitkit: ##[error]x\nexitkit: #\\#[error]x and ##\\#[y\n"


# --- the summary as a CommonMark renderer reads it ------------------------------------------

def render(markdown: str) -> str:
    from markdown_it import MarkdownIt

    return str(MarkdownIt("commonmark").renderInline(markdown))


@given(st.text(alphabet=st.sampled_from("` a*_<>#\\[]()!|~-+\n"), max_size=12))
def test_a_code_span_renders_as_the_text(text: str) -> None:
    import html

    flat = " ".join(text.splitlines())
    rendered = render(github.code_span(text))
    assert rendered.startswith("<code>") and rendered.endswith("</code>")
    assert html.unescape(rendered[6:-7]) == (flat or " ")


@given(st.text(alphabet=st.sampled_from("` a*_<>#\\[]()!|~-+&;lt\n"), min_size=1, max_size=12))
@example("&lt; &#65; &amp")
@example("XX plain words, digits 42 and . / : = ' \" $ % ^ ? @")
@example("<!-- x")
@example("http://example.com")
def test_markdown_text_renders_as_the_text(text: str) -> None:
    import html

    flat = " ".join(text.splitlines())
    assert html.unescape(render(github.markdown_text(text))) == flat


@given(st.text(alphabet=st.sampled_from("` a*_<>#\\[]()!|~-+&;\n"), min_size=1, max_size=16),
       st.text(alphabet=st.sampled_from("` a*_<>#\\[]()!|~-+&;\n"), min_size=1, max_size=16))
def test_the_summary_is_one_list_item_whatever_the_texts(command: str, meaning: str) -> None:
    import html

    from markdown_it import MarkdownIt

    run = result(status=3, exit_code=3, outcome="failure", command=command,
                 entry=ExitCode(3, "bad", "failure", meaning))
    flat_command = " ".join(command.splitlines()) or " "
    flat_meaning = " ".join(meaning.splitlines())
    said = f" — {html.escape(flat_meaning).rstrip()}" if flat_meaning.strip() else ""
    assert MarkdownIt("commonmark").render(github.summary(run)) == (
        f"<ul>\n<li><code>{html.escape(flat_command)}</code> → exit 3 (bad): "
        f"<strong>failure</strong>{said}</li>\n</ul>\n")


def test_the_files_are_written_in_utf_8_whatever_the_locale(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every file is opened in binary, the text encoded as UTF-8 by exitkit, or as UTF-8 text:
    never in the locale's encoding."""
    import codecs

    opened: list[tuple[str, str | None]] = []
    real_open = open

    def spy(file: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        opened.append((mode, kwargs.get("encoding")))  # type: ignore[arg-type]
        return real_open(file, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(github, "open", spy, raising=False)
    github.publish(result(command="café → ✓"))
    assert opened and all("b" in mode or (encoding and codecs.lookup(encoding).name == "utf-8")
                          for mode, encoding in opened), opened
    assert "café → ✓" in files["GITHUB_STEP_SUMMARY"].read_bytes().decode("utf-8")


@pytest.mark.parametrize(("before", "after"), [
    (b"", b"exit-code=3\n"),
    (b"a=1\n", b"a=1\nexit-code=3\n"),
    (b"\n", b"\nexit-code=3\n"),
    (b"version=1.2", b"version=1.2\nexit-code=3\n"),  # `printf 'version=%s' 1.2` by the command
    (b"x", b"x\nexit-code=3\n"),
    (None, b"exit-code=3\n"),  # no file yet: created, and nothing to end
])
def test_a_line_the_command_left_open_is_ended_first(
        before: bytes | None, after: bytes, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "output"
    if before is not None:
        path.write_bytes(before)
    monkeypatch.setenv("GITHUB_OUTPUT", str(path))
    github._append("GITHUB_OUTPUT", "exit-code=3\n")
    assert path.read_bytes() == after


def test_a_fifo_is_written_to_never_read_back(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    fifo = tmp_path / "output"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        monkeypatch.setenv("GITHUB_OUTPUT", str(fifo))
        github._append("GITHUB_OUTPUT", "exit-code=3\n")
        assert os.read(reader, 100) == b"exit-code=3\n"
    finally:
        os.close(reader)
