"""A small GitHub Actions runner: runs a workflow's job (and local composite actions) the way
actions/runner does, for tests of action.yml and the example workflows.

What it reproduces, from the runner's source (ActionCommand.cs, FileCommandManager.cs,
ScriptHandler.cs, ProcessInvoker.cs, CompositeActionHandler.cs):

- each ``run:`` is written to a file in ``$RUNNER_TEMP`` and run with its shell's template
  (``bash`` = ``bash --noprofile --norc -e -o pipefail {0}``, none = ``bash -e {0}``), stdin closed,
  stdout and stderr as pipes;
- ``${{ }}`` in ``run:``, ``env:``, ``with:`` and ``working-directory:``, and ``if:`` with
  ``success()``, ``failure()``, ``always()``, ``cancelled()`` (composite steps judge by the action's
  own status); ``inputs``, ``steps.ID.outputs``, ``env``, ``github``, ``runner``, ``job``;
- workflow commands read from both streams: ``::cmd props::data`` at a line start (after
  whitespace) and the legacy ``##[cmd props]data`` anywhere in a line, unescaped as the runner does,
  ``::stop-commands::TOKEN`` included;
- fresh ``GITHUB_OUTPUT``, ``GITHUB_ENV``, ``GITHUB_PATH``, ``GITHUB_STEP_SUMMARY`` files per step,
  parsed afterwards with the runner's rules (heredoc ``name<<DELIM`` included; a malformed file
  fails the step), ``GITHUB_PATH`` entries prepended for later steps, the last one first;
- cancellation: the running step's ``if:`` is evaluated again, and a step that still passes it
  (``always()``) runs on; any other gets SIGINT to its process, SIGTERM 7.5 s later, SIGKILL 2.5 s
  after that, each to that one process only; a process counts as done when it exited and both
  streams closed, or 5 s after it exited; the step's files are processed even then. Later steps
  see ``job.status`` cancelled: only ``always()`` and ``cancelled()`` steps run.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

COMMANDS = {"set-env", "set-output", "save-state", "add-path", "add-mask", "add-matcher",
            "remove-matcher", "warning", "error", "notice", "debug", "group", "endgroup", "echo"}
SHELLS = {
    "bash": ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "{0}"],
    "sh": ["sh", "-e", "{0}"],
    None: ["bash", "-e", "{0}"],
}
SIGINT_TIMEOUT, SIGTERM_TIMEOUT, STREAM_GRACE = 7.5, 2.5, 5.0


# --- workflow commands ------------------------------------------------------------------------


@dataclass
class Command:
    name: str
    properties: dict[str, str]
    data: str
    legacy: bool = False


def _unescape(text: str, table: list[tuple[str, str]]) -> str:
    for escaped, plain in table:
        text = text.replace(escaped, plain)
    return text


_DATA = [("%0D", "\r"), ("%0A", "\n"), ("%25", "%")]
_PROPERTY = [("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")]
_LEGACY = [("%3B", ";"), ("%0D", "\r"), ("%0A", "\n"), ("%5D", "]"), ("%25", "%")]


def _properties(text: str, separator: str, table: list[tuple[str, str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for entry in (e for e in text.split(separator) if e):
        key, sep, value = entry.partition("=")
        value = value.lstrip("=")  # .NET Split(count: 2, RemoveEmptyEntries) skips them
        if sep and key and value:
            found[key.lower()] = _unescape(value, table)
    return found


def parse_command(line: str, registered: set[str]) -> Command | None:
    """The workflow command in *line*, as actions/runner finds it, or None."""
    stripped = line.lstrip()
    if stripped.startswith("::"):
        end = stripped.find("::", 2)
        if end >= 0:
            info = stripped[2:end]
            name, sep, rest = info.partition(" ")
            if name.lower() in registered:
                props = _properties(rest.strip(), ",", _PROPERTY) if sep else {}
                return Command(name.lower(), props, _unescape(stripped[end + 2:], _DATA))
    start = line.find("##[")
    if start >= 0:
        end = line.find("]", start)
        if end >= 0:
            info = line[start + 3:end]
            name, sep, rest = info.partition(" ")
            if name.lower() in registered:
                props = _properties(rest, ";", _LEGACY) if sep else {}
                return Command(name.lower(), props, _unescape(line[end + 1:], _LEGACY), True)
    return None


def split_lines(data: bytes) -> list[str]:
    """Lines as .NET's StreamReader.ReadLine splits them: on \\r\\n, \\n and a lone \\r."""
    text = data.decode("utf-8", "replace")
    return re.split(r"\r\n|\n|\r", text[:-1] if text.endswith(("\n", "\r")) else text) \
        if text else []


# --- file commands ----------------------------------------------------------------------------


class FileCommandError(Exception):
    pass


def parse_env_file(text: str) -> Iterator[tuple[str, str]]:
    """``name=value`` lines and ``name<<DELIM`` blocks, exactly as the runner reads them on Linux
    (split on \\n only; nothing trimmed), one pair at a time: pairs before a malformed line are
    applied, as by the runner. Raises FileCommandError with the runner's message."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    ends_with_newline = text.endswith("\n")
    if ends_with_newline:
        lines.pop()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line == "":
            continue
        eq, hd = line.find("="), line.find("<<")
        if eq >= 0 and (hd < 0 or eq < hd):
            yield line[:eq], line[eq + 1:]
        elif hd >= 0 and (eq < 0 or hd < eq):
            name, delimiter = line[:hd], line[hd + 2:]
            if not name or not delimiter:
                raise FileCommandError(f"Invalid format '{line}'. Name must not be empty and "
                                       "delimiter must not be empty")
            value_lines = []
            while True:
                if i >= len(lines):
                    if value_lines and not ends_with_newline:
                        raise FileCommandError("Invalid value. EOF marker missing new line.")
                    raise FileCommandError(
                        f"Invalid value. Matching delimiter not found '{delimiter}'")
                candidate = lines[i]
                i += 1
                if candidate == delimiter:
                    break
                value_lines.append(candidate)
            yield name, "\n".join(value_lines)
        else:
            raise FileCommandError(f"Invalid format '{line}'")


# --- expressions ------------------------------------------------------------------------------


_TOKEN = re.compile(r"\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<str>'(?:[^']|'')*')|"
                    r"(?P<op>==|!=|<=|>=|&&|\|\||[!()<>,.\[\]])|(?P<id>[A-Za-z_][\w-]*))")


class Expression:
    """A GitHub expression (the inside of ``${{ }}``), evaluated against contexts."""

    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if not match or match.end() == pos:
                raise ValueError(f"cannot parse expression {text!r} at {pos}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            pos = match.end()
        self.pos = 0

    def evaluate(self, contexts: dict[str, Any], functions: dict[str, Any]) -> Any:
        self.contexts, self.functions, self.pos = contexts, functions, 0
        value = self._or()
        if self.pos != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.pos]}")
        return value

    def _peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def _or(self) -> Any:
        value = self._and()
        while self._peek() == "||":
            self._take()
            right = self._and()
            value = value if truthy(value) else right
        return value

    def _and(self) -> Any:
        value = self._compare()
        while self._peek() == "&&":
            self._take()
            right = self._compare()
            value = right if truthy(value) else value
        return value

    def _compare(self) -> Any:
        value = self._unary()
        while self._peek() in ("==", "!="):
            op = self._take()[1]
            right = self._unary()
            equal = loose_equal(value, right)
            value = equal if op == "==" else not equal
        return value

    def _unary(self) -> Any:
        if self._peek() == "!":
            self._take()
            return not truthy(self._unary())
        return self._primary()

    def _primary(self) -> Any:
        kind, text = self._take()
        if text == "(":
            value = self._or()
            self._take()
            return value
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self._peek() == "(":
            self._take()
            args = []
            while self._peek() != ")":
                args.append(self._or())
                if self._peek() == ",":
                    self._take()
            self._take()
            return self.functions[text.lower()](*args)
        value: Any = self.contexts.get(text)
        while self._peek() in (".", "["):
            if self._take()[1] == ".":
                key = self._take()[1]
            else:
                key = str(self._or())
                self._take()
            value = _get(value, key)
        return value


def _get(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        for k, v in value.items():
            if k.lower() == key.lower():
                return v
    return None


def truthy(value: Any) -> bool:
    return value not in (None, False, 0, 0.0, "") and value == value


def _number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text == "":
        return 0.0
    try:
        return float(text)
    except ValueError:
        return float("nan")


def loose_equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    if type(a) is type(b) and not isinstance(a, (int, float, bool)) and a is not None:
        return bool(a == b)
    return _number(a) == _number(b)


def as_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def interpolate(text: Any, contexts: dict[str, Any], functions: dict[str, Any]) -> str:
    """*text* with every ``${{ expression }}`` replaced by its value, as a string."""
    return re.sub(r"\$\{\{(.*?)\}\}",
                  lambda m: as_string(Expression(m.group(1)).evaluate(contexts, functions)),
                  str(text), flags=re.S)


# --- running a job ----------------------------------------------------------------------------


@dataclass
class StepResult:
    id: str
    outcome: str  # success, failure, cancelled, skipped
    outputs: dict[str, str] = field(default_factory=dict)
    exit_code: int | None = None
    log: list[str] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    inner: list[StepResult] = field(default_factory=list)  # an action's own steps


@dataclass
class Job:
    workspace: Path
    runner_temp: Path
    env: dict[str, str]
    cancel_when: str | None = None  # cancel the job when a step prints a line holding this
    status: str = "success"
    path_prefix: list[str] = field(default_factory=list)
    job_env: dict[str, str] = field(default_factory=dict)
    steps: list[StepResult] = field(default_factory=list)
    summary: str = ""
    warnings: list[str] = field(default_factory=list)
    #: The running top-level step's ``if:``, evaluated again when the job is cancelled: a step
    #: that still passes it (``always()``) is not cancelled and runs on.
    running_if: Any = None

    @property
    def annotations(self) -> list[Command]:
        return [c for s in self.steps for c in s.commands
                if c.name in ("error", "warning", "notice")]

    def step(self, id: str) -> StepResult:
        return next(s for s in self.steps if s.id == id)


def run_workflow(path: Path, job_name: str, workspace: Path, runner_temp: Path,
                 env: dict[str, str], cancel_when: str | None = None) -> Job:
    """Run the job *job_name* of the workflow at *path* with *workspace* as the checkout."""
    workflow = yaml.safe_load(path.read_text())
    spec = workflow["jobs"][job_name]
    job = Job(workspace, runner_temp, env, cancel_when)
    job.job_env = {k: str(v) for k, v in (workflow.get("env") or {}).items()}
    job.job_env.update({k: str(v) for k, v in (spec.get("env") or {}).items()})
    scope: dict[str, Any] = {}
    for index, step in enumerate(spec["steps"]):
        if str(step.get("uses", "")).startswith("actions/checkout"):
            continue
        run_step(job, step, scope, index, None)
    return job


@dataclass
class Composite:
    path: Path  # the action's directory
    inputs: dict[str, str]
    status: str = "success"


def run_step(job: Job, step: dict[str, Any], scope: dict[str, Any], index: int,
             composite: Composite | None) -> StepResult:
    step_id = str(step.get("id") or f"__run_{index}")
    contexts = _contexts(job, scope, composite)
    functions = _functions(job, composite)
    condition = str(step.get("if", "success()"))
    condition = re.sub(r"^\$\{\{(.*)\}\}$", r"\1", condition.strip(), flags=re.S)
    if not re.search(r"\b(success|failure|always|cancelled)\(", condition):
        condition = f"success() && ({condition})"
    if composite is None:
        job.running_if = lambda: truthy(Expression(condition).evaluate(
            _contexts(job, scope, None), _functions(job, None)))
    if not truthy(Expression(condition).evaluate(contexts, functions)):
        result = StepResult(step_id, "skipped")
    elif "uses" in step:
        result = _run_action(job, step, step_id, scope, contexts, functions)
    else:
        result = _run_script(job, step, step_id, contexts, functions, composite)
    if step.get("continue-on-error") and result.outcome == "failure":
        result.outcome = "success"  # (the conclusion; the runner keeps outcome apart)
    scope[step_id] = {"outputs": result.outputs, "outcome": result.outcome,
                      "conclusion": result.outcome}
    if composite is None:
        job.steps.append(result)
    if result.outcome == "cancelled" and composite is not None:
        composite.status = "cancelled"
    if result.outcome == "failure":
        if composite is not None and composite.status != "cancelled":
            composite.status = "failure"
        else:
            job.status = "failure"
    return result


def _contexts(job: Job, scope: dict[str, Any], composite: Composite | None) -> dict[str, Any]:
    github = {"workspace": str(job.workspace), "action_path": str(composite.path)
              if composite else "", "job": "job"}
    return {"steps": scope, "env": {**job.env, **job.job_env}, "github": github,
            "inputs": composite.inputs if composite else {},
            "runner": {"temp": str(job.runner_temp), "os": "Linux"},
            "job": {"status": job.status}}


def _functions(job: Job, composite: Composite | None) -> dict[str, Any]:
    def status() -> str:
        # inside an action, success() and failure() judge the action's own steps (its
        # github.action_status); cancelled() is always the job's
        return composite.status if composite is not None else job.status

    return {
        "success": lambda: status() == "success",
        "failure": lambda: status() == "failure",
        "always": lambda: True,
        "cancelled": lambda: job.status == "cancelled",
        "contains": lambda a, b: as_string(b).lower() in as_string(a).lower(),
        "startswith": lambda a, b: as_string(a).lower().startswith(as_string(b).lower()),
    }


def _run_action(job: Job, step: dict[str, Any], step_id: str, scope: dict[str, Any],
                contexts: dict[str, Any], functions: dict[str, Any]) -> StepResult:
    uses = str(step["uses"])
    assert uses.startswith("./"), f"only local actions are simulated: {uses}"
    action_dir = (job.workspace / uses).resolve()
    action = yaml.safe_load((action_dir / "action.yml").read_text())
    given = {k.lower(): interpolate(v, contexts, functions)
             for k, v in (step.get("with") or {}).items()}
    declared = action.get("inputs") or {}
    unexpected = [k for k in given if k not in {d.lower() for d in declared}]
    if unexpected:  # the runner's only input warning (required: is never checked)
        job.warnings.append(f"Unexpected input(s) {', '.join(repr(k) for k in unexpected)}, "
                            f"valid inputs are {list(declared)}")
    inputs = {name.lower(): given.get(name.lower(), str(spec.get("default", "")))
              for name, spec in declared.items()}
    composite = Composite(action_dir, inputs)
    inner_scope: dict[str, Any] = {}
    result = StepResult(step_id, "success")
    step_env = {k: interpolate(v, contexts, functions) for k, v in (step.get("env") or {}).items()}
    for index, inner in enumerate(action["runs"]["steps"]):
        inner = dict(inner)
        inner["env"] = {**step_env, **(inner.get("env") or {})}
        inner_result = run_step(job, inner, inner_scope, index, composite)
        result.inner.append(inner_result)
        result.log += inner_result.log
        result.commands += inner_result.commands
        result.errors += inner_result.errors
        if inner_result.outcome == "cancelled":
            result.outcome = "cancelled"
    if result.outcome != "cancelled" and composite.status == "failure":
        result.outcome = "failure"
    inner_contexts = _contexts(job, inner_scope, composite)
    for name, spec in (action.get("outputs") or {}).items():
        result.outputs[name] = interpolate(spec["value"], inner_contexts,
                                           _functions(job, composite))
    return result


def _run_script(job: Job, step: dict[str, Any], step_id: str, contexts: dict[str, Any],
                functions: dict[str, Any], composite: Composite | None) -> StepResult:
    result = StepResult(step_id, "success")
    commands_dir = job.runner_temp / "_runner_file_commands"
    commands_dir.mkdir(parents=True, exist_ok=True)
    files = {name: commands_dir / f"{name.lower()}_{uuid.uuid4()}" for name in
             ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")}
    for path in files.values():
        path.write_text("")
    script = job.runner_temp / f"{uuid.uuid4()}.sh"
    script.write_text(interpolate(step["run"], contexts, functions))
    template = SHELLS[step.get("shell")]
    argv = [a.replace("{0}", str(script)) for a in template]
    env = {**job.env, **job.job_env}
    env.update({k: interpolate(v, contexts, functions) for k, v in (step.get("env") or {}).items()})
    base_path = env.get("PATH", os.defpath)
    if job.path_prefix:
        env["PATH"] = ":".join(reversed(job.path_prefix)) + ":" + base_path
    env.update({name: str(path) for name, path in files.items()})
    env.update({"GITHUB_ACTIONS": "true", "CI": env.get("CI", "true"),
                "RUNNER_TEMP": str(job.runner_temp), "GITHUB_WORKSPACE": str(job.workspace)})
    if composite is not None:
        env["GITHUB_ACTION_PATH"] = str(composite.path)
    workdir = interpolate(step.get("working-directory", ""), contexts, functions)
    cwd = job.workspace / workdir if workdir else job.workspace
    cancelled = _execute(job, argv, env, cwd, result)
    if cancelled:
        result.outcome = "cancelled"
    elif result.exit_code:
        result.outcome = "failure"
        result.errors.append(f"Process completed with exit code {result.exit_code}.")
    _process_files(job, files, result)
    if result.errors and result.outcome == "success":
        result.outcome = "failure"
    return result


def _execute(job: Job, argv: list[str], env: dict[str, str], cwd: Path,
             result: StepResult) -> bool:
    """Run one step's process; True when it was cancelled."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=cwd)
    lines: list[tuple[str, str]] = []
    lock = threading.Lock()
    cancel = threading.Event()
    registered = set(COMMANDS)
    stop_token: list[str] = []

    def read(stream: Any, name: str) -> None:
        buffer = b""
        for chunk in iter(lambda: stream.read1(65536), b""):
            buffer += chunk
            *complete, buffer = re.split(rb"\r\n|\n|\r", buffer)
            with lock:
                for raw in complete:
                    _line(raw.decode("utf-8", "replace"), name)
        if buffer:
            with lock:
                _line(buffer.decode("utf-8", "replace"), name)
        stream.close()

    def _line(text: str, stream: str) -> None:
        lines.append((stream, text))
        if job.cancel_when is not None and job.cancel_when in text:
            cancel.set()
        if "::" not in text and "##[" not in text:
            result.log.append(text)
            return
        command = parse_command(text, registered | set(stop_token))
        if command is None:
            result.log.append(text)
            return
        if stop_token:
            if command.name == stop_token[0]:
                stop_token.clear()
            else:
                result.log.append(text)
            return
        if command.name == "stop-commands":
            stop_token.append(command.data.lower())
            return
        result.commands.append(command)

    registered.add("stop-commands")
    readers = [threading.Thread(target=read, args=(proc.stdout, "stdout"), daemon=True),
               threading.Thread(target=read, args=(proc.stderr, "stderr"), daemon=True)]
    for reader in readers:
        reader.start()

    def done(timeout: float) -> bool:
        """Exited and both streams closed, or exited STREAM_GRACE ago (then the rest is lost)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                exited = time.monotonic()
                while any(r.is_alive() for r in readers):
                    if time.monotonic() - exited > STREAM_GRACE:
                        return True
                    time.sleep(0.01)
                return True
            time.sleep(0.01)
        return False

    cancelled = False
    while not done(0.05):
        if cancel.is_set() and not cancelled:
            cancel.clear()
            job.cancel_when = None  # a job is cancelled once
            job.status = "cancelled"
            if job.running_if is not None and job.running_if():
                continue  # the step's if: still holds (always()): it is not cancelled
            cancelled = True
            for signum, wait in ((signal.SIGINT, SIGINT_TIMEOUT),
                                 (signal.SIGTERM, SIGTERM_TIMEOUT)):
                try:
                    os.kill(proc.pid, signum)
                except ProcessLookupError:
                    break
                if done(wait):
                    break
            else:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                done(STREAM_GRACE)
            break
    result.exit_code = proc.poll()
    for reader in readers:
        reader.join(timeout=0)
    return cancelled


def _process_files(job: Job, files: dict[str, Path], result: StepResult) -> None:
    for line in re.split(r"\r\n|\n|\r", files["GITHUB_PATH"].read_text()):
        if line:
            if line in job.path_prefix:
                job.path_prefix.remove(line)
            job.path_prefix.append(line)
    try:
        for key, value in parse_env_file(files["GITHUB_ENV"].read_text()):
            job.job_env[key] = value
    except FileCommandError as exc:
        result.errors.append(f"Unable to process file command 'env' successfully. {exc}")
    job.summary += files["GITHUB_STEP_SUMMARY"].read_text()
    try:
        for key, value in parse_env_file(files["GITHUB_OUTPUT"].read_text()):
            result.outputs[key] = value
    except FileCommandError as exc:
        result.errors.append(f"Unable to process file command 'output' successfully. {exc}")
