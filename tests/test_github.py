"""The GitHub integration run the way the runner runs it (tests/ghrunner.py): the composite
action, the example workflows, outputs, annotations, forged commands, cancellation."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import BIN, IN_CI, ROOT, Tools, run_exitkit
from ghrunner import COMMANDS, Job, parse_command, parse_env_file, run_workflow, split_lines
from procs import alive


@pytest.fixture(scope="session")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RUNNER_TEMP for the session, like one job: the action installs exitkit once."""
    return tmp_path_factory.mktemp("runner-temp")


@pytest.fixture
def workspace(world: Path) -> Iterator[Path]:
    """A checkout with exitkit's action at ./exitkit (as `uses: ./exitkit`)."""
    (world / "exitkit").symlink_to(ROOT)
    yield world


def job(workspace: Path, runner_temp: Path, steps: list[dict[str, Any]],
        cancel_when: str | None = None, env: dict[str, str] | None = None) -> Job:
    workflow = workspace / ".github" / "workflows" / "test.yml"
    workflow.parent.mkdir(parents=True, exist_ok=True)
    workflow.write_text(yaml.safe_dump({"on": "push", "jobs": {"test": {
        "runs-on": "ubuntu-latest", "env": {"TEST_VMID": "100"}, "steps": steps}}}))
    return run_workflow(workflow, "test", workspace, runner_temp,
                        env=dict(os.environ) | (env or {}), cancel_when=cancel_when)


def action(run: str | None = None, **inputs: str) -> dict[str, Any]:
    with_ = dict(inputs)
    if run is not None:
        with_["run"] = run
    return {"id": "act", "uses": "./exitkit", "with": with_}


def outputs(**values: str) -> dict[str, str]:
    return {"exit-code": values.get("exit_code", ""),
            "raw-exit-code": values.get("raw", values.get("exit_code", "")),
            "exit-name": values.get("name", ""), "outcome": values.get("outcome", "")}


def annotations(result: Job) -> list[tuple[str, str, str]]:
    return [(c.name, c.properties.get("title", ""), c.data) for c in result.annotations]


# --- the composite action -------------------------------------------------------------------


def test_a_tolerated_code_passes_the_step_and_names_the_command(
    tools: Tools, workspace: Path, runner_temp: Path,
) -> None:
    tools("proxxx", 'echo "proxxx $*"\nexit 5')
    result = job(workspace, runner_temp,
                 [action('proxxx delete "$TEST_VMID" --yes', ok="not-found", timeout="5m")])
    step = result.step("act")
    assert step.outcome == "success", step.errors
    assert step.outputs == outputs(exit_code="0", raw="5", name="not-found", outcome="tolerated")
    assert "proxxx delete 100 --yes" in step.log
    assert annotations(result) == [("notice", "proxxx: not-found tolerated",
                                    'proxxx delete "$TEST_VMID" --yes exited 5 (not-found); '
                                    "tolerated by --ok")]
    assert result.summary.endswith(
        '- `proxxx delete "$TEST_VMID" --yes` → exit 5 (not-found): **tolerated** — '
        "Resource not found\n")


@pytest.mark.parametrize("written", ["printf 'version=%s' 1.2.3",
                                     "printf 'notes<<EOF\\nhello\\nEOF'"],
                         ids=["name=value", "heredoc"])
def test_a_command_that_leaves_github_output_mid_line_keeps_every_output(
    written: str, workspace: Path, runner_temp: Path,
) -> None:
    """The runner takes a last line without its line end; exitkit's first output must not join
    it (found by review: `exit-code` vanished into `version=1.2.3exit-code=0`, and a heredoc's
    closing delimiter was lost, which failed a step that had succeeded)."""
    result = job(workspace, runner_temp,
                 [action(f'{written} >> "$GITHUB_OUTPUT"\nexit 5', ok="5")])
    step = result.step("act")
    assert step.outcome == "success", step.errors
    assert step.outputs == outputs(exit_code="0", raw="5", name="", outcome="tolerated")


def test_a_fifo_as_github_output_is_written_not_waited_on(tmp_path: Path) -> None:
    """Found by review: looking for a line the command left open, exitkit opened $GITHUB_OUTPUT
    for reading, and a FIFO waits for a writer there, which is exitkit itself: it hung, deaf
    to TERM. Only a regular file is read back."""
    import threading

    fifo = tmp_path / "output"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    proc = subprocess.Popen(["exitkit", "run", "--ci", "github", "--", "true"],
                            env=dict(os.environ, GITHUB_OUTPUT=str(fifo)),
                            stdout=subprocess.DEVNULL)
    try:
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
            with open(fifo, "wb"):  # let the reader go
                pass
    reader.join(timeout=10)
    assert b"exit-code=0\n" in got[0]


def test_a_failing_line_fails_the_step_like_a_bash_step(
    workspace: Path, runner_temp: Path,
) -> None:
    result = job(workspace, runner_temp, [action("false\necho second")])
    step = result.step("act")
    assert step.outcome == "failure"
    assert "second" not in step.log
    assert step.outputs == outputs(exit_code="1", name="failure", outcome="failure")


def test_a_failing_pipeline_fails_the_step(tools: Tools, workspace: Path,
                                           runner_temp: Path) -> None:
    tools.exits("proxxx", 4)
    result = job(workspace, runner_temp, [action("proxxx delete 1 | cat", ok="not-found")])
    step = result.step("act")
    assert step.outcome == "failure"
    assert step.outputs == outputs(exit_code="4", name="auth", outcome="failure")
    assert annotations(result) == [(
        "error", "proxxx exited 4 (auth)",
        "proxxx delete 1 | cat exited 4 (auth): Authentication / authorization\n"
        "Recovery: Refresh the token")]


def test_a_timeout_names_the_command_not_bash(workspace: Path, runner_temp: Path) -> None:
    result = job(workspace, runner_temp, [action("sleep 30", timeout="0.5s")])
    step = result.step("act")
    assert step.outcome == "failure"
    assert step.outputs == outputs(exit_code="124", name="timeout", outcome="timeout")
    assert annotations(result) == [("error", "sleep timed out",
                                    "sleep 30 was stopped because it timed out; exitkit exits "
                                    "124")]


def test_the_contract_comes_from_the_first_word_after_assignments_and_wrappers(
    tools: Tools, workspace: Path, runner_temp: Path,
) -> None:
    tools("proxxx", 'exit "$PROXXX_RC"')
    result = job(workspace, runner_temp, [
        action("PROXXX_RC=5 proxxx delete 1", ok="not-found"),
        {**action("env PROXXX_RC=5 nice -n 1 proxxx delete 1", ok="not-found"), "id": "second"},
    ])
    for step in ("act", "second"):
        assert result.step(step).outputs["outcome"] == "tolerated", result.step(step).log


def test_a_missing_run_input_fails_with_one_clear_error_and_sets_outputs(
    workspace: Path, runner_temp: Path,
) -> None:
    result = job(workspace, runner_temp, [action(command="proxxx delete 1")])  # misspelt
    step = result.step("act")
    assert step.outcome == "failure"
    assert step.outputs == outputs(exit_code="125", name="run-failed", outcome="error")
    assert annotations(result) == [("error", "exitkit run failed",
                                    "the run input is missing or empty, so there is nothing to "
                                    "run (a misspelt 'run:' in 'with:'?)")]
    assert result.warnings[0].startswith("Unexpected input(s) 'command'")


def test_outputs_are_set_when_exitkit_itself_fails(workspace: Path, runner_temp: Path) -> None:
    result = job(workspace, runner_temp, [action("true", ok="no-such-name")])
    step = result.step("act")
    assert step.outcome == "failure"
    assert step.outputs == outputs(exit_code="125", name="run-failed", outcome="error")
    assert [(name, title) for name, title, _ in annotations(result)] == [
        ("error", "exitkit run failed")]


def test_a_runner_python_too_old_fails_the_install_and_still_sets_outputs(
    tools: Tools, workspace: Path, tmp_path: Path,
) -> None:
    tools("python3", 'case "$1" in -V) echo "Python 3.8.10" ;; *) exit 1 ;; esac')
    result = job(workspace, tmp_path / "temp", [action("true")])
    step = result.step("act")
    assert step.outcome == "failure"
    assert step.outputs == outputs(exit_code="125", name="run-failed", outcome="error")
    assert annotations(result) == [
        ("error", "exitkit", "exitkit needs Python 3.10 or newer on the runner, found: Python "
                             "3.8.10; add actions/setup-python before this step"),
        ("error", "exitkit run failed", "exitkit is not installed: the install step of this "
                                        "action failed (see above)")]


def test_the_jobs_path_is_left_alone_but_exitkit(workspace: Path, runner_temp: Path) -> None:
    probe = {"id": "after", "shell": "bash", "run":
             'echo "python3=$(command -v python3)"; echo "exitkit=$(command -v exitkit)"; '
             'ls "$(dirname "$(command -v exitkit)")"'}
    before = shutil.which("python3")
    result = job(workspace, runner_temp, [action("true"), probe])
    log = result.step("after").log
    assert f"python3={before}" in log
    exitkit = next(line for line in log if line.startswith("exitkit=")).split("=", 1)[1]
    assert Path(exitkit).resolve().parent.name == "bin"
    assert log[-1] == "exitkit"  # the directory added to PATH holds exitkit and nothing else
    assert len([line for line in log if not line.startswith(("python3=", "exitkit="))]) == 1


def test_installing_twice_in_a_job_reuses_the_first_install(workspace: Path,
                                                           runner_temp: Path) -> None:
    result = job(workspace, runner_temp, [action("true"), {**action("true"), "id": "again"}])
    assert any(line.startswith("exitkit: reusing ") for line in result.step("again").log)


def test_a_multi_line_input_with_a_contract(tools: Tools, workspace: Path,
                                            runner_temp: Path) -> None:
    tools.exits("proxxx", 5)
    result = job(workspace, runner_temp,
                 [action('echo "cleaning up"\nproxxx delete 1', ok="not-found",
                         contract="proxxx")])
    step = result.step("act")
    assert step.outputs == outputs(exit_code="0", raw="5", name="not-found", outcome="tolerated")
    assert annotations(result)[0][2].startswith('echo "cleaning up" … exited 5 (not-found)')


def test_a_missing_working_directory_fails_with_outputs(workspace: Path,
                                                        runner_temp: Path) -> None:
    result = job(workspace, runner_temp, [action("true", **{"working-directory": "nope"})])
    step = result.step("act")
    assert step.outputs == outputs(exit_code="125", name="run-failed", outcome="error")
    assert annotations(result) == [("error", "exitkit run failed",
                                    "working-directory: cannot change to 'nope'")]


def test_a_hostile_working_directory_stays_inside_the_one_annotation(
        workspace: Path, runner_temp: Path) -> None:
    """Found by review: the action's own failure line echoed its input raw, so a line break in
    `working-directory` started a workflow command of its own."""
    hostile = "nope\r\n::warning title=forged::x ##[error]y %0A z"
    result = job(workspace, runner_temp, [action("true", **{"working-directory": hostile})])
    step = result.step("act")
    assert step.outputs == outputs(exit_code="125", name="run-failed", outcome="error")
    assert annotations(result) == [("error", "exitkit run failed",
                                    "working-directory: cannot change to 'nope\r\n::warning "
                                    "title=forged::x #\\#[error]y %0A z'")]


def test_the_command_sees_the_jobs_environment_not_the_actions(
    workspace: Path, runner_temp: Path,
) -> None:
    result = job(workspace, runner_temp, [action("env | grep -c '^EXITKIT_[BI]' || true")])
    assert result.step("act").log[-1] == "0"


def run_sh(world: Path, exitkit: str, script: str = "exit 7",
           prefix: str = "") -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """action/run.sh by itself, as the action's Run step starts it (after *prefix*)."""
    out = world / "github_output"
    out.write_text("")
    env = dict(os.environ, GITHUB_OUTPUT=str(out), RUNNER_TEMP=str(world), EXITKIT_BIN=exitkit,
               EXITKIT_INPUT_RUN=script)
    result = subprocess.run(["bash", "-c", f'{prefix}exec "$0"', str(ROOT / "action" / "run.sh")],
                            env=env, capture_output=True, text=True, timeout=60)
    return result, dict(parse_env_file(out.read_text()))


def test_an_exitkit_that_cannot_start_still_sets_outputs(tools: Tools, world: Path) -> None:
    broken = tools("broken-exitkit", "", shebang="#!/nonexistent/python")
    result, found = run_sh(world, str(broken))
    assert result.returncode == 125, result.stderr
    assert found == {"exit-code": "125", "raw-exit-code": "125", "exit-name": "run-failed",
                     "outcome": "error"}
    assert f"::error title=exitkit run failed::cannot start {broken}" in result.stdout


def test_a_run_input_that_cannot_be_written_is_never_a_success(world: Path) -> None:
    """A full disk: the script would be cut short, and a cut script may well exit 0."""
    exitkit = shutil.which("exitkit")
    assert exitkit is not None
    script = "# " + "x" * 4000 + "\nexit 7"
    result, found = run_sh(world, exitkit, script, prefix="trap '' XFSZ; ulimit -f 1; ")
    assert result.returncode == 125, result.stdout + result.stderr
    assert found["outcome"] == "error"
    assert "cannot write the run input" in result.stdout


# --- forged workflow commands ---------------------------------------------------------------

EVIL = ROOT / "tests" / "fixtures" / "hostile" / "evil.toml"


@pytest.fixture
def evil(world: Path) -> Path:
    """The hostile contract on the search path (./.exitkit), and an ``evil`` that exits 3."""
    (world / ".exitkit").mkdir()
    shutil.copy(EVIL, world / ".exitkit" / "evil.toml")
    return world


def commands_in(text: bytes) -> list[Any]:
    registered = set(COMMANDS) | {"stop-commands", "t0k"}
    return [c for line in split_lines(text) if (c := parse_command(line, registered))]


@pytest.mark.parametrize(("options", "argv"), [
    ([], ["evil", "x"]),
    ([], ["##[error]forged", "x"]),
    ([], ["evil", "##[stop-commands]t0k"]),
    ([], ["evil", "a\n::error::forged"]),
    (["--as", "##[error]forged\n::error::forged"], ["evil"]),
    (["--as", "evil\r::error::forged ##[x]"], ["evil"]),
    (["--ok", "##[error]forged"], ["evil"]),
    (["--ok", "a\n::error::forged"], ["evil"]),
    (["--x##[error]forged"], ["evil"]),
    (["--report", "/dev/stdout"], ["evil", "##[error]forged"]),  # found by review
    (["--report", "/dev/stderr", "--as", "evil ##[warning]forged"], ["evil"]),
])
def test_nothing_exitkit_prints_forms_a_workflow_command(options: list[str], argv: list[str],
                                                        tools: Tools, evil: Path) -> None:
    """Every line exitkit writes, parsed with the runner's rules (both syntaxes): exitkit's own
    annotation is the one command, whatever the contract and the arguments say."""
    tools.exits("evil", 3)
    for mode in (["--ci", "github"],
                 ["--ci", "github", "--retries", "1", "--retry-on", "3", "--backoff", "0"]):
        result = subprocess.run(["exitkit", "run", *mode, *options, "--", *argv],
                                capture_output=True, timeout=30)
        found = commands_in(result.stdout + result.stderr)
        assert [c.name for c in found] == ["error"], result.stderr
        assert b"##[" not in result.stderr


def test_the_annotation_keeps_hostile_text_inside_it(tools: Tools, evil: Path) -> None:
    tools.exits("evil", 3)
    result = run_exitkit("run", "--ci", "github", "--", "evil", "a,b:c", "x\ny")
    assert result.returncode == 3
    (found,) = commands_in(result.stderr.encode())
    assert found.properties == {"title": "evil exited 3 (broken)"}
    assert found.data == (
        "evil a,b:c $'x\\ny' exited 3 (broken): 100% bad\n::warning::forged, really: yes "
        "#\\#[stop-commands]t0k and #\\#[error]forged\nRecovery: try %0A again\r\nnow "
        "::error::and this #\\#[set-output name=x]y")


def test_a_forged_error_code_in_a_contract_cannot_end_an_output(evil: Path) -> None:
    out, summary = evil / "out", evil / "summary"
    out.touch()
    summary.touch()
    run_exitkit("run", "--ci", "github", "-c", "evil", "--", "sh", "-c", "exit 3",
                env=dict(os.environ, GITHUB_OUTPUT=str(out), GITHUB_STEP_SUMMARY=str(summary)))
    assert dict(parse_env_file(out.read_text())) == {
        "exit-code": "3", "raw-exit-code": "3", "exit-name": "broken", "outcome": "failure"}
    assert summary.read_text().count("\n") == 1


def test_github_mode_follows_github_actions_unless_told(tools: Tools, world: Path) -> None:
    out = world / "out"
    out.touch()
    tools.exits("proxxx", 5)
    env = dict(os.environ, GITHUB_OUTPUT=str(out))
    for actions, args, annotated in (("true", [], True), ("false", [], False),
                                     ("false", ["--ci", "github"], True),
                                     ("true", ["--ci", "none"], False)):
        out.write_text("")
        result = run_exitkit("run", *args, "--ok", "not-found", "--", "proxxx", "delete", "100",
                             env=env | {"GITHUB_ACTIONS": actions})
        assert result.returncode == 0
        notice = ("::notice title=proxxx%3A not-found tolerated::proxxx delete 100 exited 5 "
                  "(not-found); tolerated by --ok\n")
        assert (notice in result.stderr, "::" in result.stderr) == (annotated, annotated)
        assert out.read_text() == ("exit-code=0\nraw-exit-code=5\nexit-name=not-found\n"
                                   "outcome=tolerated\n" if annotated else "")


# --- cancellation ---------------------------------------------------------------------------


@pytest.mark.parametrize("exec_", [True, False], ids=["exitkit-is-the-step", "under-bash"])
def test_a_cancel_leaves_outputs_annotation_and_summary_in_time(
    exec_: bool, tools: Tools, workspace: Path, runner_temp: Path,
) -> None:
    """The runner's own sequence: INT to the step's process, TERM 7.5 s later, KILL 2.5 s after
    that, to that process only — with a command that ignores INT and TERM."""
    pid_file = workspace / "stubborn.pid"
    tools("stubborn", f"trap '' INT TERM\necho $$ > {pid_file}\necho started\n"
                      "while :; do sleep 0.1; done")
    if exec_:  # the action: exitkit is the step's process
        steps: list[dict[str, Any]] = [action("stubborn")]
    else:  # exitkit run in a run: step, a child of the step's bash
        steps = [{"id": "act", "shell": "bash", "run": "exitkit run -- stubborn"}]
        steps.insert(0, action("true", **{}) | {"id": "install"})
    started = time.monotonic()
    result = job(workspace, runner_temp, steps, cancel_when="started")
    assert time.monotonic() - started < 30
    step = result.step("act")
    assert step.outcome == "cancelled"
    assert step.outputs["outcome"] == "cancelled", step.log
    assert ("error", "stubborn cancelled",
            "stubborn was stopped because the run was cancelled") in annotations(result)
    assert "→ exit" in result.summary and "**cancelled**" in result.summary
    # and nothing of it outlives the step (a second stop signal brings KILL before the runner's)
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid)


def test_a_command_that_stops_on_the_cancel_leaves_cancelled_outputs(
    tools: Tools, workspace: Path, runner_temp: Path,
) -> None:
    """The command dies of the forwarded INT at once: exitkit's final outputs replace the early
    ones, and still say cancelled, with the status a shell would read."""
    tools("prompt", "echo started\nexec sleep 60")
    started = time.monotonic()
    result = job(workspace, runner_temp, [action("prompt")], cancel_when="started")
    assert time.monotonic() - started < 7.5  # over before the runner's TERM
    step = result.step("act")
    assert step.outcome == "cancelled"
    assert step.outputs == outputs(exit_code="130", name="sigint", outcome="cancelled")
    assert [a[1] for a in annotations(result)] == ["prompt cancelled"]
    assert result.summary.count("\n") == 1


def test_a_teardown_runs_in_a_cancelled_job(tools: Tools, workspace: Path,
                                            runner_temp: Path) -> None:
    """The job is cancelled while its tests run; the teardown, ``if: always()``, still runs the
    action's steps, and so do the outputs and the annotation."""
    tools("proxxx", 'echo "proxxx $*"\nexit 5')
    tests = {"id": "tests", "shell": "bash", "run": "echo started; sleep 30"}
    teardown = {**action('proxxx delete "$TEST_VMID" --yes', ok="not-found"),
                "id": "teardown", "if": "always()"}
    after = {"id": "after", "shell": "bash", "run": "echo never"}
    result = job(workspace, runner_temp, [tests, teardown, after], cancel_when="started")
    assert result.status == "cancelled"
    assert result.step("tests").outcome == "cancelled"
    step = result.step("teardown")
    assert step.outcome == "success", step.log
    assert "proxxx delete 100 --yes" in step.log
    assert step.outputs == outputs(exit_code="0", raw="5", name="not-found", outcome="tolerated")
    assert result.step("after").outcome == "skipped"


def test_a_step_that_keeps_running_through_a_cancel_is_not_stopped(
    tools: Tools, workspace: Path, runner_temp: Path,
) -> None:
    """A cancel during an ``if: always()`` step: the runner lets it finish, and so does exitkit."""
    tools("proxxx", 'echo "proxxx $* started"\nsleep 0.5\nexit 5')
    step = {**action("proxxx delete 1", ok="not-found"), "if": "always()"}
    result = job(workspace, runner_temp, [step], cancel_when="started")
    assert result.status == "cancelled"
    assert result.step("act").outputs["outcome"] == "tolerated", result.step("act").log


def test_a_shell_that_dies_during_a_backoff_leaves_a_cancelled_run(world: Path) -> None:
    out, report = world / "out", world / "report.json"
    out.touch()
    # bash starts exitkit and goes away while exitkit waits to retry
    subprocess.run(["bash", "-c", f'exitkit run --ci github --report {report} --retries 3 '
                                  f'--retry-on 7 --backoff 60 --max-backoff 60 -- sh -c "exit 7" '
                                  f'& sleep 0.5'],
                   env=dict(os.environ, GITHUB_OUTPUT=str(out)), capture_output=True, timeout=30)
    deadline = time.monotonic() + 10
    while not report.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert dict(parse_env_file(out.read_text())) == {
        "exit-code": "7", "raw-exit-code": "7", "exit-name": "", "outcome": "cancelled"}
    import json

    record = json.loads(report.read_text())
    assert (record["cause"], record["cancelled"]) == ("cancelled", True)


# --- the example workflows ------------------------------------------------------------------


def test_the_action_example_runs_with_its_teardown_tolerating_not_found(
    tools: Tools, workspace: Path, runner_temp: Path,
) -> None:
    tools("proxxx", 'case "$1" in delete) exit 5 ;; *) exit 0 ;; esac')
    example = (ROOT / "examples" / "teardown.yml").read_text().replace("uses: ./",
                                                                       "uses: ./exitkit")
    (workspace / "wf.yml").write_text(example)
    result = run_workflow(workspace / "wf.yml", "e2e", workspace, runner_temp,
                          env=dict(os.environ))
    assert result.step("teardown").outputs["outcome"] == "tolerated"
    assert "teardown finished - tolerated (not-found)" in result.steps[-1].log
    assert result.status == "success"


def test_the_venv_example_installs_exitkit_on_the_runners_python(
    tools: Tools, workspace: Path, tmp_path: Path,
) -> None:
    tools("proxxx", 'case "$1" in delete) exit 5 ;; *) exit 0 ;; esac')
    example = yaml.safe_load((ROOT / "examples" / "teardown-venv.yml").read_text())
    example["jobs"]["e2e"]["env"]["EXITKIT_PACKAGE"] = str(ROOT)
    (workspace / "wf.yml").write_text(yaml.safe_dump(example))
    python = shutil.which("python3", path=os.environ["PATH"].replace(f"{BIN}:", ""))
    assert python is not None
    env = dict(os.environ, PATH=os.environ["PATH"].replace(f"{BIN}:", ""))
    result = run_workflow(workspace / "wf.yml", "e2e", workspace, tmp_path / "temp", env=env)
    assert result.step("teardown").outputs["outcome"] == "tolerated", result.steps[0].log
    assert "teardown finished - tolerated (not-found)" in result.steps[-1].log


#: Where the test extra installs actionlint (pyproject.toml: a wheel exists there).
ACTIONLINT_WHEEL = sys.platform.startswith("linux") or (
    sys.platform == "darwin" and platform.machine() == "arm64")


def actionlint() -> str:
    found = shutil.which("actionlint", path=str(BIN)) or shutil.which("actionlint")
    if found is None:
        if not ACTIONLINT_WHEEL:
            pytest.skip(f"no actionlint wheel for {sys.platform} {platform.machine()}")
        if IN_CI:
            pytest.fail("actionlint is not installed (pip install -e '.[test]')")
        pytest.skip("actionlint is not installed")
    return found


def lint_workflow(tmp_path: Path, name: str, text: str) -> subprocess.CompletedProcess[str]:
    """actionlint over the workflow *text* in a repository holding exitkit's action.yml at its
    root (the examples say ``uses: ./``)."""
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ROOT / "action.yml", repo / "action.yml")
    (repo / ".github" / "workflows" / name).write_text(text)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return subprocess.run([actionlint(), f".github/workflows/{name}"], cwd=repo,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("example", ["teardown.yml", "teardown-venv.yml"])
def test_the_examples_and_the_action_pass_actionlint(example: str, tmp_path: Path) -> None:
    result = lint_workflow(tmp_path, example, (ROOT / "examples" / example).read_text())
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_ci_workflow_passes_actionlint_and_calls_ci_run(tmp_path: Path) -> None:
    text = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    result = lint_workflow(tmp_path, "ci.yml", text)
    assert result.returncode == 0, result.stdout + result.stderr
    workflow = yaml.safe_load(text)
    (test,) = workflow["jobs"].values()
    assert set(test["strategy"]["matrix"]["os"]) == {"ubuntu-latest", "macos-latest"}
    assert test["steps"][-1]["run"] == ".ci/run"
    versions = test["steps"][1]["with"]["python-version"].split()
    import re

    makefile = (ROOT / "Makefile").read_text()
    oldest = re.search(r"^OLDEST_PYTHON := (\S+)", makefile, re.M)
    newest = re.search(r"^NEWEST_PYTHON := (\S+)", makefile, re.M)
    assert oldest and newest and {oldest[1], newest[1]} <= set(versions)


def test_actionlint_really_checks_the_actions_inputs(tmp_path: Path) -> None:
    text = (ROOT / "examples" / "teardown.yml").read_text()
    ok_line = "          ok: not-found\n"
    broken = text.replace(ok_line, ok_line + "          okay: 5\n")
    assert broken != text
    result = lint_workflow(tmp_path, "teardown.yml", broken)
    assert result.returncode != 0
    assert 'input "okay" is not defined' in result.stdout


def test_the_action_scripts_pass_shellcheck() -> None:
    from shells_util import program

    result = subprocess.run([*program("shellcheck"), *map(str, sorted(
        (ROOT / "action").glob("*.sh")))], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (0, "")


def table_keys(markdown: str, header: str) -> list[str]:
    """The first column of the Markdown table whose header row starts with *header*."""
    rows = markdown.split(f"| {header} |", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    return [row.split("|")[1].strip().strip("`") for row in rows]


def test_the_docs_list_the_actions_inputs_and_outputs_and_nothing_else() -> None:
    spec = yaml.safe_load((ROOT / "action.yml").read_text())
    docs = (ROOT / "docs" / "github.md").read_text()
    assert table_keys(docs, "input") == list(spec["inputs"])
    assert table_keys(docs, "output") == list(spec["outputs"])
    assert spec["inputs"]["run"]["required"] is True
    outcomes = spec["outputs"]["outcome"]["description"]
    from exitkit.run.report.github import OUTCOMES

    assert all(outcome in outcomes for outcome in OUTCOMES)


def test_an_outcome_read_from_stderr_is_named_and_quoted_untouched(
    tools: Tools, workspace: Path, runner_temp: Path,
) -> None:
    """The outcome's name is the step's exit-name; the line it was told apart by is quoted in
    the annotation, byte for byte even where it holds the runner's own escapes and markers."""
    from exitkit.run.report.github import code_span
    from exitkit.text import neutralize
    from test_capture import TALKER

    (workspace / ".exitkit").mkdir()
    (workspace / ".exitkit" / "talker.toml").write_text(TALKER)
    said = "Error: %0A::error::x ##[warning]y not found"
    tools("talker", f"echo '{said}' >&2; exit 1")
    result = job(workspace, runner_temp, [action("talker delete x", ok="gone")])
    step = result.step("act")
    assert step.outcome == "success", step.errors
    assert step.outputs == outputs(exit_code="0", raw="1", name="gone", outcome="tolerated")
    # the tool's own "##[warning]" is the runner's to read, as without exitkit; exitkit's quote
    # of the line is inert
    assert annotations(result) == [("warning", "", "y not found"),
                                   ("notice", "talker: gone tolerated",
                                    "talker delete x exited 1 (gone); tolerated by --ok\n"
                                    "stderr: " + neutralize(said))]
    assert result.summary.endswith(
        "- `talker delete x` → exit 1 (gone): **tolerated** — The thing is not there (stderr: "
        f"{code_span(said)})\n")
    tools("talker", "echo 'Error: x forbidden' >&2; exit 1")
    result = job(workspace, runner_temp, [action("talker delete x", ok="gone")])
    step = result.step("act")
    assert step.outcome == "failure"
    assert step.outputs == outputs(exit_code="1", name="forbidden", outcome="failure")
    assert annotations(result)[0][2].endswith("\nnot tolerated by --ok: Error: x forbidden")
