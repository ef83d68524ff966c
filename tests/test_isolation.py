"""The suite is isolated from where it runs: a GitHub job, a user's config, a background job.

The modules below are the ones that read the environment, write GitHub files or send signals.
They are run here in a nested pytest, started the way a hostile host would start it: inside a
GitHub job whose output files are sentinels, with contracts in every place of the search path that
shadow the built-ins with wrong codes, and with INT and QUIT ignored (as for `make test &` in a
script) and HUP ignored (as under nohup). They must pass and leave every sentinel untouched.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SECONDARY_PYTHON

MODULES = ["test_run.py", "test_cli.py", "test_loader.py", "test_shellcmd.py", "test_github.py",
           "test_supervise.py", "test_completion.py"]

#: proxxx with its codes moved: a test that picked this up instead of the built-in would fail.
SHADOW = """\
name = "proxxx"
version = "9.0.0"
summary = "HOSTILE shadow of the built-in"
[[exit]]
code = 0
name = "success"
kind = "success"
meaning = "ok"
[[exit]]
code = 9
name = "not-found"
kind = "not-found"
meaning = "moved"
"""


def test_the_suite_passes_in_a_hostile_host_and_touches_none_of_its_files(tmp_path: Path) -> None:
    files = {name: tmp_path / name.lower() for name in (
        "GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_STATE")}
    for path in files.values():
        path.touch()
    places = {"EXITKIT_PATH": tmp_path / "exitkit-path", "XDG_CONFIG_HOME": tmp_path / "xdg",
              "HOME": tmp_path / "home", "RUNNER_TEMP": tmp_path / "runner-temp"}
    checkout = tmp_path / "checkout"
    for contracts in (places["EXITKIT_PATH"], places["XDG_CONFIG_HOME"] / "exitkit" / "contracts",
                      places["HOME"] / ".config" / "exitkit" / "contracts", checkout / ".exitkit"):
        contracts.mkdir(parents=True)
        (contracts / "proxxx.toml").write_text(SHADOW)
    places["RUNNER_TEMP"].mkdir()
    env = dict(os.environ) | {name: str(path) for name, path in {**files, **places}.items()} | {
        "GITHUB_ACTIONS": "true", "CI": "true", "RUNNER_DEBUG": "1", "EXITKIT_QUIET": "1",
        "PYTHONDONTWRITEBYTECODE": "1"}
    if SECONDARY_PYTHON:
        env["EXITKIT_TEST_SECONDARY_PYTHON"] = "1"

    def as_a_background_job_under_nohup() -> None:
        for signum in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
         "--basetemp", str(tmp_path / "inner"), "--rootdir", str(ROOT),
         "-c", str(ROOT / "pyproject.toml"), *(str(ROOT / "tests" / m) for m in MODULES)],
        cwd=checkout, env=env, preexec_fn=as_a_background_job_under_nohup,
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    assert {name: path.read_bytes() for name, path in files.items()} == dict.fromkeys(files, b"")
    assert list(places["RUNNER_TEMP"].iterdir()) == []
    assert sorted(p.name for p in checkout.iterdir()) == [".exitkit"]
