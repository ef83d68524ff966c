"""Shared fixtures: every test runs in an isolated world, and one factory makes scripts and tools.

Isolation is automatic (the ``world`` fixture is autouse): whatever job, shell or checkout the suite
runs in, no test sees its ``GITHUB_*``, ``RUNNER_*``, ``CI``, ``EXITKIT_*`` or ``XDG_*`` variables,
its ``HOME`` or its current directory, and no test writes into the job's own output files.
``tests/test_isolation.py`` proves it by running tests with all of them pointing at sentinels.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "exitkit"
BUILTIN_DIR = SRC / "contracts" / "builtin"
BIN = Path(sys.executable).parent
EXITKIT = shutil.which("exitkit", path=str(BIN)) or "exitkit"

#: Variables that would let the machine the suite runs on change what a test sees or where exitkit
#: writes: a GitHub job's files, a runner's settings, a user's contracts and config.
SCRUBBED_PREFIXES = ("GITHUB_", "RUNNER_", "ACTIONS_", "EXITKIT_", "XDG_")
SCRUBBED_NAMES = ("CI", "HOME", "BASH_ENV", "ENV", "CDPATH", "ZDOTDIR")

#: Whether the suite runs in CI, read once at start (the ``world`` fixture scrubs ``CI``): there a
#: missing tool fails a test instead of skipping it.
IN_CI = os.environ.get("CI", "").lower() in ("true", "1")

#: Whether this is one of `make test`'s runs on another Python (tools/test-python.sh).
SECONDARY_PYTHON = os.environ.get("EXITKIT_TEST_SECONDARY_PYTHON") == "1"

#: Signals a test may send to a child it started; the suite must not inherit them ignored (a
#: background job started from a script ignores INT and QUIT, nohup ignores HUP).
_RESET_SIGNALS = ("SIGINT", "SIGQUIT", "SIGHUP", "SIGTERM", "SIGUSR1", "SIGUSR2", "SIGALRM")


def pytest_configure(config: pytest.Config) -> None:
    """Put every signal the tests send back to its default, as a login shell would have it."""
    for name in _RESET_SIGNALS:
        signum = getattr(signal, name)
        handler = signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL
        signal.signal(signum, handler)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    # exitkit's entry point holds nearly every signal when it is imported with an argv that says
    # `run` (the console script's start-up), and the in-process tests import it (exitkit.run
    # reads its PARENT). Under `mutmut run` this process's argv says so too: import it first,
    # with an argv of its own.
    argv, sys.argv = sys.argv, ["pytest"]
    try:
        import exitkit._entry  # noqa: F401
    finally:
        sys.argv = argv


@pytest.fixture(autouse=True)
def _no_signal_left_blocked() -> Iterator[None]:
    """A test that leaves signals blocked in the test process fails, instead of every later
    test's children inheriting the mask (a TERM sent to them would then wait for ever)."""
    yield
    held = signal.pthread_sigmask(signal.SIG_BLOCK, ())
    if held:
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        pytest.fail(f"the test left signals blocked in the test process: {sorted(held)}")


def scrubbed_environment(environ: dict[str, str] | os._Environ[str]) -> dict[str, str]:
    """*environ* without anything the machine's job, runner or user could leak into a test."""
    return {
        key: value
        for key, value in environ.items()
        if not key.startswith(SCRUBBED_PREFIXES) and key not in SCRUBBED_NAMES
    }


@pytest.fixture(autouse=True)
def world(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A clean HOME and config dir, a fresh working directory, an empty ``bin/`` first on PATH,
    and no variable from the machine's CI job, runner or exitkit configuration. It lives beside
    the test's ``tmp_path``, which stays empty for the test itself."""
    for key in list(os.environ):
        if key.startswith(SCRUBBED_PREFIXES) or key in SCRUBBED_NAMES:
            monkeypatch.delenv(key)
    base = tmp_path_factory.mktemp("world")
    home = base / "home"
    home.mkdir()
    work = base / "work"
    work.mkdir()
    (base / "bin").mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("PATH", f"{base / 'bin'}{os.pathsep}{BIN}{os.pathsep}"
                       f"{os.environ.get('PATH', os.defpath)}")
    monkeypatch.chdir(work)
    yield work


class Tools:
    """Makes executable scripts: fake tools in the test's ``bin/`` (first on PATH), or anywhere."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir

    def __call__(self, name: str, body: str = "", *, shebang: str = "#!/bin/sh") -> Path:
        """A tool *name* on PATH running *body*: ``tools("proxxx", "exit 5")``."""
        return self.script(self.bin / name, f"{shebang}\n{body}\n" if shebang else body)

    def exits(self, name: str, status: int, *, echo: bool = False) -> Path:
        """A tool that exits *status* (printing its name and arguments first with *echo*)."""
        say = f'echo "{name} $*"\n' if echo else ""
        return self(name, f"{say}exit {status}")

    @staticmethod
    def script(path: Path, text: str, mode: int = 0o755) -> Path:
        """Write *text* to *path* with *mode* (default: executable by everyone)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(mode)
        return path

    @staticmethod
    def is_executable(path: Path) -> bool:
        return bool(path.stat().st_mode & stat.S_IXUSR)


@pytest.fixture
def tools(world: Path) -> Tools:
    return Tools(world.parent / "bin")


def run_exitkit(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    input: str | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run the installed console script, capturing text output."""
    return subprocess.run(
        [EXITKIT, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        input=input,
        timeout=timeout,
    )


def shell_status(command: str, env: dict[str, str] | None = None) -> int:
    """The status a POSIX shell reads as ``$?`` after *command* (a signal death reads 128+N)."""
    out = subprocess.run(["sh", "-c", f"{command}\necho \"status=$?\""], capture_output=True,
                         text=True, env=env, timeout=60)
    line = [x for x in out.stdout.splitlines() if x.startswith("status=")][-1]
    return int(line.split("=", 1)[1])


def unprivileged(argv: list[str]) -> list[str]:
    """*argv* run as a user without privileges: unchanged when we are not root, else through
    ``setpriv`` as nobody (root reads and runs anything, so permission checks need another user).
    Fails in CI, skips elsewhere, when that is impossible."""
    if os.geteuid() != 0:
        return argv
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        _missing("running as root and setpriv (util-linux) is missing")
    prefix = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]
    probe = subprocess.run([*prefix, sys.executable, "-c", "pass"], capture_output=True, text=True)
    if probe.returncode != 0:
        _missing(f"the user nobody cannot start {sys.executable}: {probe.stderr.strip()}",
                 secondary_may_skip=True)
    return [*prefix, *argv]


def _missing(message: str, *, secondary_may_skip: bool = False) -> None:
    """Skip a test for *message*; in CI fail it instead, unless this is one of the extra Python
    runs and *secondary_may_skip* (the main run covers the same test)."""
    if IN_CI and not (secondary_may_skip and SECONDARY_PYTHON):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def public_dir() -> Iterator[Path]:
    """A directory every user can enter and read (pytest's own are private to their owner)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="exitkit-test-") as name:
        os.chmod(name, 0o755)
        yield Path(name)
