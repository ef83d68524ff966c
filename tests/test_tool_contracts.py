"""The built-ins for the tools CI steps run: pytest, pg_isready, ssh, docker run, GNU timeout,
systemctl, dnf/yum check-update, ansible-playbook, shellcheck, mypy, ruff and terraform.

Each expected table is transcribed by hand from the tool's own documentation or source (named
per table; each contract's ``source`` says where it is published), never read from the TOML files,
so that a slip in either shows up as a difference. Where codes depend on the subcommand, the
contract has a ``[match]`` and the tests check which command lines it covers.
"""

from __future__ import annotations

import pytest

from conftest import Tools, run_exitkit
from exitkit.contracts.loader import load_builtin
from exitkit.contracts.resolve import contract_for
from test_builtin_contracts import texts

#: name → {code: (exit name, kind)}
EXPECTED: dict[str, dict[int, tuple[str, str]]] = {
    # pytest: doc/en/reference/exit-codes.rst, src/_pytest/config/__init__.py ExitCode (9.1: 6)
    "pytest": {0: ("ok", "success"), 1: ("tests-failed", "failure"),
               2: ("interrupted", "failure"), 3: ("internal-error", "internal"),
               4: ("usage-error", "usage"), 5: ("no-tests-collected", "not-found"),
               6: ("max-warnings-exceeded", "failure")},
    # pg_isready(1), "Exit Status" (unchanged since PostgreSQL 9.3)
    "pg-isready": {0: ("accepting", "success"), 1: ("rejecting", "transient"),
                   2: ("no-response", "network"), 3: ("no-attempt", "usage")},
    # ssh(1), EXIT STATUS: "ssh exits with the exit status of the remote command or with 255"
    "ssh": {255: ("ssh-error", "internal")},
    # docker run reference, "Exit status"; cli/command/container/run.go toStatusError
    "docker-run": {125: ("docker-error", "internal"), 126: ("cannot-invoke", "not-executable"),
                   127: ("command-not-found", "command-not-found")},
    # coreutils manual, "timeout invocation"
    "timeout": {124: ("timed-out", "timeout"), 125: ("timeout-failed", "usage"),
                126: ("cannot-invoke", "not-executable"),
                127: ("command-not-found", "command-not-found"), 137: ("killed", "signal")},
    # systemctl(1) "Exit status"; systemd src/basic/exit-status.h (LSB start-verb codes)
    "systemctl": {0: ("ok", "success"), 1: ("failure", "failure"),
                  3: ("not-implemented", "precondition"), 4: ("no-permission", "auth"),
                  5: ("not-installed", "not-found"), 6: ("not-configured", "config")},
    # systemctl(1) is-active; systemd PR #25689 (253): 4 for a unit that does not exist
    "systemctl-is-active": {0: ("active", "success"), 1: ("error", "failure"),
                            3: ("inactive", "precondition"), 4: ("no-such-unit", "not-found")},
    # systemctl(1) "Exit status" (the LSB status action); systemd src/systemctl/systemctl-util.h
    "systemctl-status": {0: ("running", "success"), 1: ("dead-pid-file", "failure"),
                         2: ("dead-lock-file", "failure"), 3: ("not-running", "precondition"),
                         4: ("no-such-unit", "not-found")},
    # dnf command_ref "check-update" and "Return values"; yum(8) check-update
    "dnf-check-update": {0: ("up-to-date", "success"), 1: ("error", "failure"),
                         100: ("updates-available", "success"), 200: ("lock-error", "conflict")},
    "yum-check-update": {0: ("up-to-date", "success"), 1: ("error", "failure"),
                         100: ("updates-available", "success"), 200: ("lock-error", "conflict")},
    # ansible-core lib/ansible/cli/__init__.py cli_executor, executor/task_queue_manager.py RUN_*
    "ansible-playbook": {0: ("ok", "success"), 1: ("error", "failure"),
                         2: ("host-failed", "failure"),
                         4: ("unreachable-or-parse-error", "failure"),
                         5: ("bad-options", "usage"), 6: ("bad-encoding", "usage"),
                         99: ("user-interrupted", "failure"),
                         250: ("unexpected-error", "internal"),
                         255: ("unknown-error", "internal")},
    # shellcheck(1) "RETURN VALUES"
    "shellcheck": {0: ("clean", "success"), 1: ("issues-found", "failure"),
                   2: ("file-error", "not-found"), 3: ("bad-syntax", "usage"),
                   4: ("bad-options", "usage")},
    # mypy/main.py (code = 2 if blockers else 1), mypy/errors.py report_internal_error → 2
    "mypy": {0: ("clean", "success"), 1: ("type-errors", "failure"),
             2: ("blocking-error", "failure")},
    # ruff docs linter.md and formatter.md "Exit codes"
    "ruff": {0: ("clean", "success"), 1: ("violations", "failure"), 2: ("abnormal", "failure")},
    # terraform: internal/backend/backendrun/operation.go OperationSuccess/OperationFailure
    "terraform": {0: ("ok", "success"), 1: ("error", "failure")},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_code_the_tool_documents_and_no_other(name: str) -> None:
    contract = load_builtin(name)
    assert {e.code: (e.name, e.kind) for e in contract.exits} == EXPECTED[name]
    assert contract.version == "1.0.0"
    assert contract.source is not None and contract.source.startswith("https://")
    for where, text in texts(contract):
        assert text == text.strip() and "\n" not in text, f"{name}: {where}"
        assert not text.endswith("."), f"{name}: {where}"


@pytest.mark.parametrize(("argv", "expected"), [
    (["pg_isready", "-h", "db"], "pg-isready"),
    (["/usr/lib/postgresql/15/bin/pg_isready"], "pg-isready"),
    (["docker", "run", "--rm", "alpine", "false"], "docker-run"),
    (["docker", "rm", "x"], "docker"),  # every other docker command: outcomes from stderr
    (["systemctl", "is-active", "nginx"], "systemctl-is-active"),
    (["systemctl", "--user", "is-active", "nginx"], "systemctl-is-active"),
    (["systemctl", "restart", "nginx"], "systemctl"),
    (["systemctl", "status", "nginx"], "systemctl-status"),
    (["sudo", "systemctl", "--no-pager", "status", "nginx"], "systemctl-status"),
    (["sudo", "dnf", "check-update"], "dnf-check-update"),
    (["dnf", "install", "-y", "git"], None),
    (["yum", "-q", "check-update"], "yum-check-update"),
    (["terraform", "apply"], "terraform"),
    (["terraform", "plan", "-detailed-exitcode"], "terraform-plan"),
    (["pytest", "-q"], "pytest"),
    (["ssh", "host", "true"], "ssh"),
])
def test_the_contract_for_each_command_line(argv: list[str], expected: str | None) -> None:
    found = contract_for(argv)
    assert (found.name if found else None) == expected


def test_an_empty_test_selection_is_fine_when_said(tools: Tools) -> None:
    tools.exits("pytest", 5)
    result = run_exitkit("run", "--ok", "no-tests-collected", "--", "pytest", "-k", "slow")
    assert (result.returncode, result.stderr) == (
        0, "exitkit: pytest exited 5 (no-tests-collected); tolerated by --ok\n")
    tools.exits("pytest", 1)
    failed = run_exitkit("run", "--ok", "no-tests-collected", "--", "pytest", "-k", "slow")
    assert (failed.returncode, failed.stderr) == (
        1, "exitkit: pytest exited 1 (tests-failed): Tests ran and at least one failed\n")


def test_waiting_for_the_database_retries_until_it_accepts(tools: Tools) -> None:
    # rejecting twice (starting up), then accepting: pg_isready's own codes drive the retries
    tools("pg_isready", 'n=$(cat count 2>/dev/null || echo 0); echo $((n + 1)) > count\n'
                        '[ "$n" -ge 2 ] && exit 0\nexit 1')
    result = run_exitkit("run", "-q", "--retries", "5", "--backoff", "0", "--retry-on",
                         "no-response,rejecting", "--", "pg_isready", "-h", "db")
    assert result.returncode == 0, result.stderr
    tools("pg_isready", "exit 3")  # bad parameters are not retried
    result = run_exitkit("run", "--retries", "5", "--backoff", "0", "--retry-on",
                         "no-response,rejecting", "--", "pg_isready", "--bogus")
    assert (result.returncode, result.stderr) == (
        3, "exitkit: pg-isready exited 3 (no-attempt): No attempt was made\n")


def test_updates_available_is_not_a_failure_when_said(tools: Tools) -> None:
    tools.exits("dnf", 100)
    result = run_exitkit("run", "--ok", "updates-available", "--", "dnf", "check-update")
    assert result.returncode == 0
    assert run_exitkit("run", "-q", "--", "dnf", "check-update").returncode == 100
