"""``exitkit scan`` on a corpus of real excerpts (tests/fixtures/scan/corpus/, each naming its
public source in its first lines): the exact findings of every excerpt, worked out from the
excerpt and the contracts (``exitkit show NAME``), not copied from the scanner's output.

Where the scanner is wrong on a real excerpt the case holds the right findings and is marked
``xfail(strict=True)`` with what is wrong, so that the fix turns it green (and the mark must go)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("tree_sitter")
pytest.importorskip("tree_sitter_bash")

from exitkit.scan.engine import Scanner
from exitkit.scan.inputs import MAKEFILE, SHELL, WORKFLOW
from exitkit.scan.model import Finding

CORPUS = Path(__file__).resolve().parent / "fixtures" / "scan" / "corpus"
WORKFLOWS = "workflows/.github/workflows/"

Row = tuple[int, int, str, str, str | None, int | None, str | None]
Case = tuple[str, str, list[Row], str | None]

#: curl's exits that ``exitkit run --retry-on`` may retry (its contract's retryable ones: the
#: network and timeout kinds), in the contract's order
CURL_RETRYABLE = ",".join([
    "couldnt-resolve-proxy", "couldnt-resolve-host", "couldnt-connect", "ftp-accept-failed",
    "ftp-accept-timeout", "ftp-cant-get-host", "http2", "partial-file", "operation-timedout",
    "ssl-connect-error", "got-nothing", "send-error", "recv-error", "no-connection-available",
    "http2-stream", "http3", "quic-connect-error", "proxy"])


def scan(path: Path, kind: str) -> list[Finding]:
    findings, error = Scanner().scan(str(path), kind)
    assert error is None, error.message
    return findings


def summary(findings: list[Finding]) -> list[Row]:
    return [(f.line, f.column, f.id, f.kind, f.tool, f.code, f.name) for f in findings]


def case(path: str, expected: list[Row], kind: str = SHELL, bug: str | None = None) -> Case:
    """One excerpt: its path under the corpus, how it is read, its findings, and the scanner bug
    that makes it fail today (``None`` when it passes)."""
    return path, kind, expected, bug


CASES: list[Case] = [
    # -- EK101 magic-number ---------------------------------------------------------------------
    # `yum check-update; retVal=$?; [ $retVal -eq 100 ]` (yum-check-update's updates-available),
    # then needs-restarting's 1 (no contract: still reported, with the hint to write one)
    case("yum/patch.sh", [
        (10, 18, "EK101", "magic-number", "yum-check-update", 100, "updates-available"),
        (14, 22, "EK101", "magic-number", "needs-restarting", 1, None),
    ]),
    # `dnf check-update --refresh; status=$?`: `if test $status -eq 100 … exit 1` and
    # `elif test $status -eq 1 … exit 1` (dnf-check-update's error); both branches fail, so no
    # code is tolerated
    case("dnf/check_packages.sh", [
        (9, 21, "EK101", "magic-number", "dnf-check-update", 100, "updates-available"),
        (13, 23, "EK101", "magic-number", "dnf-check-update", 1, "error"),
    ]),
    # `elif [ $exit_code -eq 5 ]` only echoes (its `exit 0` is commented out): pytest's
    # no-tests-collected compared by number, not turned into success
    case("pytest/run-pytest.sh", [
        (11, 23, "EK101", "magic-number", "pytest", 5, "no-tests-collected"),
    ]),
    # `rep=$(curl …); status=$?; if [ "$status" == "7" ]; then … exit 1`: the status of the
    # command substitution, curl's couldnt-connect
    case("curl/isdockerlive.sh", [
        (7, 19, "EK101", "magic-number", "curl", 7, "couldnt-connect"),
    ]),

    # -- EK102 or-true --------------------------------------------------------------------------
    # helm uninstall and kubectl delete: delete verbs, both contracts' not-found outcome (code 1)
    case("helm/uninstall-wavefront-helm-release.sh", [
        (7, 1, "EK102", "or-true", "helm", 1, "not-found"),
        (8, 1, "EK102", "or-true", "kubectl", 1, "not-found"),
    ]),
    # `docker kill` is no delete verb (the names to choose from, no name); `docker rm` is:
    # docker's not-found outcome, code 1; inside a function, indented by two
    case("docker/stop-container.sh", [
        (11, 3, "EK102", "or-true", "docker", None, None),
        (12, 3, "EK102", "or-true", "docker", 1, "not-found"),
    ]),
    # docker stop (no delete verb), docker rm and docker rmi -f (delete verbs)
    case("docker/clean_envoy_docker.sh", [
        (8, 1, "EK102", "or-true", "docker", None, None),
        (9, 1, "EK102", "or-true", "docker", 1, "not-found"),
        (10, 1, "EK102", "or-true", "docker", 1, "not-found"),
    ]),
    # `aws s3 rm … || true`: rm is a delete verb; aws's not-found is an outcome of 254 and 255,
    # the first one is the code
    case("aws/delete_s3_bucket.sh", [
        (7, 1, "EK102", "or-true", "aws", 254, "not-found"),
    ]),
    # `grep -n … $S || true`: grep has a contract (no-match, error); no delete verb
    case("grep/shellcheck.sh", [
        (13, 1, "EK102", "or-true", "grep", None, None),
    ]),
    # `ansible-playbook … >test.output 2>&1 … || true`: the redirection in the middle of the words
    # does not hide the tool
    case("ansible-playbook/playbook-test.sh", [
        (2, 1, "EK102", "or-true", "ansible-playbook", None, None),
    ]),
    # `${deb_systemctl} stop … || true` names no tool (an expansion); `systemctl disable` and
    # `systemctl --system daemon-reload` are systemctl's, no delete verb
    case("systemctl/preremove.sh", [
        (7, 1, "EK102", "or-true", "systemctl", None, None),
        (8, 1, "EK102", "or-true", "systemctl", None, None),
    ]),
    # `userdel otelcol-mackerel || true` in a Debian postrm: userdel is itself the deletion (no
    # verb after it), and its contract has a not-found exit of its own (6); then `systemctl --system
    # daemon-reload || true` (no delete verb)
    case("userdel/postremove-debian.sh", [
        (7, 3, "EK102", "or-true", "userdel", 6, "not-found"),
        (16, 9, "EK102", "or-true", "systemctl", None, None),
    ]),
    # `podman kill devcontainer || true` (podman kill has no contract), `podman rm devcontainer ||
    # true`: podman-rm's own not-found exit, 1; inside a function, indented by two
    case("podman/stop-container.sh", [
        (12, 3, "EK102", "or-true", "podman-rm", 1, "not-found"),
    ]),
    # `apt-get update || true`, `apt-get install -y … || true` (apt-get's one failure, error, but no
    # delete verb: no name), `curl -LJO … || true`; dpkg has no contract
    case("apt-get/prepare-vm.sh", [
        (2, 1, "EK102", "or-true", "apt-get", None, None),
        (3, 1, "EK102", "or-true", "apt-get", None, None),
        (5, 1, "EK102", "or-true", "curl", None, None),
    ]),
    # `mypy src || true` after `ruff check .` (which fails the script under set -e: no finding)
    case("mypy/lint.sh", [
        (6, 1, "EK102", "or-true", "mypy", None, None),
    ]),
    # a Makefile recipe `@shellcheck -x -o all -f gcc $(SHELL_SCRIPTS) || true`: the `@` dropped,
    # the column is the command's in the file
    case("shellcheck/kubecost.mk", [
        (8, 3, "EK102", "or-true", "shellcheck", None, None),
    ], MAKEFILE),

    # -- EK103 teardown-dance -------------------------------------------------------------------
    # `terraform plan … -detailed-exitcode; EXIT_CODE=$?; [[ $EXIT_CODE -eq 2 ]] → exit 0`
    case("terraform/plan-terraform.sh", [
        (6, 1, "EK103", "teardown-dance", "terraform-plan", 2, "changes-present"),
    ]),
    # `--detailed-exitcode` (two dashes, which terraform's flag parser accepts as well) must pick
    # terraform-plan; then `case $ec in 1) … exit 1;; 2) echo …` tolerates 2 (another item fails)
    # and compares 1 by number
    case("terraform/terraform_drift_detection.sh", [
        (3, 1, "EK103", "teardown-dance", "terraform-plan", 2, "changes-present"),
        (6, 1, "EK101", "magic-number", "terraform-plan", 1, "error"),
    ]),
    # `poetry run pytest "$@"; EXIT_CODE=$?; [ $EXIT_CODE -eq 5 ] → exit 0`
    case("pytest/run_tests.sh", [
        (3, 1, "EK103", "teardown-dance", "pytest", 5, "no-tests-collected"),
    ]),
    # `[[ $status -ne 0 && $status -ne 5 ]] → exit $status`: 5 let through as success
    case("pytest/unit.sh", [
        (9, 3, "EK103", "teardown-dance", "pytest", 5, "no-tests-collected"),
    ]),
    # a package's purge script: `userdel -r  pufferpanel; exitCode=$?; [ $exitCode -eq 0 ] || [
    # $exitCode -eq 6 ] || exit $exitCode`, and the same for groupdel: not-found (6) passes, both
    case("userdel/purge.sh", [
        (7, 1, "EK103", "teardown-dance", "userdel", 6, "not-found"),
        (11, 1, "EK103", "teardown-dance", "groupdel", 6, "not-found"),
    ]),

    # -- EK104 timeout-124 ----------------------------------------------------------------------
    # `timeout 600 make test; RETVAL=$?; [ $RETVAL -eq 124 ] && echo …`: make has no contract,
    # the tool named is make
    case("timeout/runtest.sh", [
        (4, 1, "EK104", "timeout-124", "make", 124, "timeout"),
    ]),

    # -- EK105 retry-loop -----------------------------------------------------------------------
    case("curl/wait-healthy.sh", [
        (8, 1, "EK105", "retry-loop", "curl", None, CURL_RETRYABLE),
    ]),
    # `while ! pg_isready …; do`: pg-isready's rejecting (1) and no-response (2) are retryable
    case("pg_isready/wait_postgres.sh", [
        (4, 1, "EK105", "retry-loop", "pg-isready", None, "rejecting,no-response"),
    ]),
    # `until PGPASSWORD=… psql … -c "\q"`: psql's connection-failed is not retryable by its
    # contract, so no name
    case("psql/init.sh", [
        (4, 1, "EK105", "retry-loop", "psql", None, None),
    ]),
    # `until kubectl cluster-info 2&>/dev/null`: kubectl's retryable outcome too-many-requests
    case("kubectl/wait.sh", [
        (6, 1, "EK105", "retry-loop", "kubectl", None, "too-many-requests"),
    ]),
    # `until $(kubectl get pods &> /dev/null); do`: the substitution expands to nothing, so the
    # status the loop tests is kubectl's (bash: with no command name left, the status is the last
    # command substitution's)
    case("kubectl/wait-for-kubernetes.sh", [
        (6, 1, "EK105", "retry-loop", "kubectl", None, "too-many-requests"),
    ]),

    # -- EK106 continue-on-error, and step outputs (workflows) ---------------------------------
    # continue-on-error on `terraform plan -detailed-exitcode` (no delete verb: no name), then
    # `steps.plan.outputs.exitcode == 2` (changes-present) and `== 1` (error)
    case(WORKFLOWS + "plan-pr-comment.yml", [
        (9, 9, "EK106", "continue-on-error", "terraform-plan", None, None),
        (12, 44, "EK101", "magic-number", "terraform-plan", 2, "changes-present"),
        (19, 44, "EK101", "magic-number", "terraform-plan", 1, "error"),
    ], WORKFLOW),
    # continue-on-error on `terraform plan -no-color -input=false` (the general contract); the
    # `exit 1` step is a builtin
    case(WORKFLOWS + "terraform.yml", [
        (35, 9, "EK106", "continue-on-error", "terraform", None, None),
    ], WORKFLOW),
    # top-level steps: `terraform fmt -check` and `terraform plan`, both with continue-on-error
    case(WORKFLOWS + "setup-terraform-readme.yml", [
        (15, 3, "EK106", "continue-on-error", "terraform", None, None),
        (28, 3, "EK106", "continue-on-error", "terraform", None, None),
    ], WORKFLOW),

    # -- no finding -----------------------------------------------------------------------------
    # continue-on-error on a `uses:` step; the plan step runs a script (no contract); the
    # `needs.*.outputs.exit_code == '2'` is a job output, not a step's
    case(WORKFLOWS + "infra.yml", [], WORKFLOW),
    # the tool is the make variable $(HELM): no literal command, no contract
    case("makefile/hl-uninstall.mk", [], MAKEFILE),
    # a timeout around apt-get (no 124 in its contract) with no 124 checked; the loop's test is on
    # a variable, not a tool
    case("apt-get/apt-update.sh", []),
    # kubectl delete with --ignore-not-found (=true, or bare), no || true
    case("negative/90-cleanup.sh", []),
    case("negative/delete.sh", []),
    # statuses compared with 0 only: `[ $? -ne 0 ]`, `[[ "${?}" -ne 0 ]]`, `[[ $? -eq 0 ]]`,
    # `[ "$status" == 0 ]`, `[ $EXIT_CODE -eq 0 ]`, and ssh's status
    case("negative/sample.sh", []),
    case("negative/luser_demo12.sh", []),
    case("negative/backup.sh", []),
    case("negative/service_monitoring_on_failure.sh", []),
    case("negative/purge.sh", []),
    case("negative/ssh_check.sh", []),
    # statuses passed through, never compared: `export mypy_status=$?; exit $mypy_status`
    case("negative/run_mypy.sh", []),
    # `&& echo … || echo …` (no `|| true`), `if diff …`, `if ! (mypy …)`
    case("negative/check-sherpa.sh", []),
    case("negative/act12.sh", []),
    case("negative/check_type.sh", []),
    # `podman image rm … || true`, `podman volume rm … || true`: podman-rm's contract is for `podman
    # rm` only, and podman has no general one
    case("podman/setup.sh", []),
    # `ruff check || return 1`, `ruff format --diff || return 1`: failures passed on, not tolerated
    case("ruff/check.sh", []),
    # `gh label create … 2>/dev/null || gh label edit …` inside a function: no `|| true`, no
    # status read
    case("gh/bootstrap_labels.sh", []),
    # rsync's status through sudo, and systemctl is-active's, compared with 0 only
    case("rsync/backup.sh", []),
    case("systemctl/service_status_check_v2.sh", []),
    # a wait loop around a command without a contract (python)
    case("negative/prestart.sh", []),
]


@pytest.mark.parametrize(("path", "kind", "expected"), [
    pytest.param(path, kind, expected, id=path,
                 marks=[pytest.mark.xfail(strict=True, reason=bug)] if bug else [])
    for path, kind, expected, bug in CASES])
def test_corpus(path: str, kind: str, expected: list[Row]) -> None:
    assert summary(scan(CORPUS / path, kind)) == expected


def test_every_fixture_is_in_the_table() -> None:
    listed = {path for path, _, _, _ in CASES}
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file()}
    assert on_disk == listed


def test_every_fixture_names_its_repository() -> None:
    for path in CORPUS.rglob("*"):
        if path.is_file():
            head = path.read_text().splitlines()[:3]
            assert any(line.startswith("# excerpt of ") and "/" in line for line in head), path


# -- every built-in, by construction ---------------------------------------------------------------
# The real excerpts above do not reach every built-in (no public script we could trace compares
# gcloud's, ssh's or diff's statuses by hand, for one). Constructed lines make sure that scan
# recognises each built-in's command line, as `exitkit run` would, and names its codes.


def _builtin_lines() -> list[tuple[str, str, int, str]]:
    from exitkit.contracts.loader import load_builtin
    from exitkit.contracts.search import builtin_names

    lines = []
    for name in builtin_names():
        contract = load_builtin(name)
        failing = [e for e in contract.exits if e.code != 0]
        if not failing:
            continue
        match = contract.match
        words = [match.command, *match.args, *match.flags] if match is not None else [name]
        if name == "timeout":
            words.append("5")  # its DURATION, before the command
        lines.append((name, " ".join(words), failing[0].code, failing[0].name))
    return lines


@pytest.mark.parametrize(("name", "command", "code", "exit_name"), _builtin_lines(),
                         ids=[line[0] for line in _builtin_lines()])
def test_every_builtin_is_recognised(tmp_path: Path, name: str, command: str, code: int,
                                     exit_name: str) -> None:
    path = tmp_path / "x.sh"
    path.write_text(f"# constructed\n{command} arg\nrc=$?\nif [ \"$rc\" -eq {code} ]; then\n"
                    "  echo \"$rc\" >&2\nfi\n")
    column = len('if [ "$rc" -eq ') + 1
    found = summary(scan(path, SHELL))
    if name == "timeout":  # timeout's own codes are the timeout rule's
        assert found == [(2, 1, "EK104", "timeout-124", "arg", code, "timeout")]
        return
    assert found == [(4, column, "EK101", "magic-number", name, code, exit_name)]
