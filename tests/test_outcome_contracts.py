"""The built-ins that read stderr to name an outcome (kubectl, helm, docker, aws, gcloud, gh, psql),
and the teardown tools whose codes say it already (userdel, groupdel, podman rm, apt-get).

Every stderr line here is what the tool prints, copied from the research notes on naming outcomes
(stderr-outcomes.md: the row is named beside each line, "§1 kubectl" being the facts table's
`kubectl delete` row) or, where the notes point to it, from the tool's source. The expected tables
are transcribed by hand, never read from the TOML files. The fake tools in tests/fakes/outcomes/
print the same lines; the last tests run them.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from exitkit.contracts.classify import Lines
from exitkit.contracts.loader import load_builtin
from exitkit.contracts.model import Contract, ExitCode, OutcomeRow
from exitkit.contracts.resolve import contract_for

FAKES = Path(__file__).resolve().parent / "fakes" / "outcomes"

# --- the tables, transcribed -------------------------------------------------------------------

#: name → {code: (exit name, kind)}
EXITS: dict[str, dict[int, tuple[str, str]]] = {
    # kubectl pkg/cmd/util/helpers.go: DefaultErrorExitCode = 1 for every error
    "kubectl": {0: ("ok", "success"), 1: ("error", "failure")},
    # helm cmd/helm/helm.go: os.Exit(1) unless a plugin's code
    "helm": {0: ("ok", "success"), 1: ("error", "failure")},
    # docker/cli getExitCode (1, or a StatusError's code); 125-127 as the docker-run contract has
    "docker": {0: ("ok", "success"), 1: ("error", "failure"),
               125: ("docker-error", "internal"), 126: ("cannot-invoke", "not-executable"),
               127: ("command-not-found", "command-not-found")},
    # aws-cli topics/return-codes.rst (v1: 0 1 2 130 255; v2 adds 252-254), awscli/constants.py
    "aws": {0: ("ok", "success"), 1: ("s3-transfer-failed", "failure"), 2: ("usage", "usage"),
            130: ("interrupted", "signal"), 252: ("invalid-parameters", "usage"),
            253: ("configuration-error", "config"), 254: ("service-error", "failure"),
            255: ("general-error", "internal")},
    # §1 gcloud: 1 for every error
    "gcloud": {0: ("ok", "success"), 1: ("error", "failure")},
    # cli/cli internal/ghcmd/cmd.go: exitOK 0, exitError 1, exitCancel 2, exitAuth 4, exitPending 8
    "gh": {0: ("ok", "success"), 1: ("error", "failure"), 2: ("cancelled", "failure"),
           4: ("auth-required", "auth"), 8: ("pending", "in-progress")},
    # psql(1) "Exit Status": 0, 1 fatal error or failed -c, 2 connection, 3 ON_ERROR_STOP
    "psql": {0: ("ok", "success"), 1: ("error", "failure"), 2: ("connection-failed", "network"),
             3: ("script-error", "failure")},
    # shadow userdel(8) EXIT VALUES, plus src/userdel.c's E_BAD_ARG 3, E_SE_UPDATE 14, 16, 18
    "userdel": {0: ("ok", "success"), 1: ("cannot-update-passwd", "failure"),
                2: ("usage", "usage"), 3: ("bad-argument", "usage"),
                6: ("not-found", "not-found"), 8: ("user-busy", "precondition"),
                10: ("cannot-update-group", "failure"), 12: ("cannot-remove-home", "failure"),
                14: ("cannot-update-selinux", "failure"), 16: ("cannot-update-subuid", "failure"),
                18: ("cannot-update-subgid", "failure")},
    # shadow groupdel(8) EXIT VALUES, plus src/groupdel.c's exit(1) and lib/'s E_BAD_ARG 3
    "groupdel": {0: ("ok", "success"), 1: ("failure", "failure"), 2: ("usage", "usage"),
                 3: ("bad-argument", "usage"), 6: ("not-found", "not-found"),
                 8: ("primary-group", "precondition"), 10: ("cannot-update-group", "failure")},
    # podman-rm(1) "Exit Status"
    "podman-rm": {0: ("ok", "success"), 1: ("not-found", "not-found"),
                  2: ("container-running", "precondition"), 125: ("error", "failure")},
    # apt-get(8) DIAGNOSTICS: 0 normal operation, 100 on error
    "apt-get": {0: ("ok", "success"), 100: ("error", "failure")},
}

#: name → {outcome: (kind, codes)}, in file order
OUTCOMES: dict[str, dict[str, tuple[str, tuple[int, ...]]]] = {
    "kubectl": {"not-found": ("not-found", (1,)), "already-exists": ("conflict", (1,)),
                "forbidden": ("auth", (1,)), "unauthorized": ("auth", (1,)),
                "conflict": ("conflict", (1,)), "too-many-requests": ("rate-limited", (1,))},
    "helm": {"not-found": ("not-found", (1,))},
    "docker": {"not-found": ("not-found", (1,))},
    "aws": {"not-found": ("not-found", (254, 255)), "throttled": ("rate-limited", (254, 255)),
            "access-denied": ("auth", (254, 255))},
    "gcloud": {"not-found": ("not-found", (1,)), "permission-denied": ("auth", (1,)),
               "already-exists": ("conflict", (1,)),
               "resource-exhausted": ("rate-limited", (1,))},
    "gh": {"not-found": ("not-found", (1,))},
    "psql": {"undefined-table": ("not-found", (1, 3)), "undefined-object": ("not-found", (1, 3)),
             "invalid-catalog-name": ("not-found", (1, 3)),
             "duplicate-table": ("conflict", (1, 3)),
             "insufficient-privilege": ("auth", (1, 3))},
}

WITH_OUTCOMES = tuple(OUTCOMES)
PLAIN = ("userdel", "groupdel", "podman-rm", "apt-get")


def read(name: str, stderr: str | bytes, piece: int = 0) -> Lines:
    """What *stderr* says for contract *name*, fed whole or in pieces of *piece* bytes."""
    data = stderr.encode() if isinstance(stderr, str) else stderr
    lines = Lines(load_builtin(name))
    if piece:
        for start in range(0, len(data), piece):
            lines.feed(data[start:start + piece])
    else:
        lines.feed(data)
    lines.close()
    return lines


def accepted(contract: Contract, *keys: str) -> set[str]:
    """The outcomes `--ok KEY,…` accepts: by name, else by kind (Contract.select_outcomes)."""
    return {row.name for key in keys for row in contract.select_outcomes(key)}


# --- the tables --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXITS))
def test_every_code_the_tool_documents_and_no_other(name: str) -> None:
    contract = load_builtin(name)
    assert {e.code: (e.name, e.kind) for e in contract.exits} == EXITS[name]
    assert contract.version == "1.0.0"
    assert contract.source is not None and contract.source.startswith("https://")
    assert contract.prefix == name.upper().replace("-", "_") + "_EXIT"


@pytest.mark.parametrize("name", sorted(EXITS))
def test_outcomes_are_the_researched_ones(name: str) -> None:
    contract = load_builtin(name)
    found = {o.name: (o.kind, o.codes) for o in contract.outcomes}
    assert found == OUTCOMES.get(name, {})
    assert list(found) == list(OUTCOMES.get(name, {}))  # file order decides between outcomes
    for row in contract.outcomes:
        assert row.retryable == (row.kind == "rate-limited"), row.name
    assert not contract.stderr.locale  # every pattern reads an untranslated token


def test_no_exit_code_is_retried_unless_asked() -> None:
    # psql's lost connection (kind network) may have run half a script: its row says retryable =
    # false; the rate-limited outcomes are retried when --retry-on names them
    retried = {name: sorted(e.code for e in load_builtin(name).exits if e.retryable)
               for name in EXITS}
    assert retried == {name: [] for name in EXITS}
    assert load_builtin("psql").lookup(2).kind == "network"  # type: ignore[union-attr]


def test_kubectl_error_lines_are_the_ones_checkerr_prints() -> None:
    errors = load_builtin("kubectl").stderr.errors
    assert errors[:2] == (r"^Error from server\b", "^error: ")


@pytest.mark.parametrize("name", WITH_OUTCOMES)
def test_texts_are_tidy(name: str) -> None:
    contract = load_builtin(name)
    texts = [("summary", contract.summary)]
    rows: list[ExitCode | OutcomeRow] = [*contract.exits, *contract.outcomes]
    for row in rows:
        for field in ("meaning", "when", "recovery"):
            value = getattr(row, field)
            if value is not None:
                texts.append((f"{row.name} {field}", value))
    for where, text in texts:
        assert text == text.strip() and "\n" not in text, f"{name}: {where}"
        assert not text.endswith("."), f"{name}: {where}"
        assert not set(text) & set("\u2018\u2019\u201c\u201d"), f"{name}: {where}"
        # a command's name keeps its case: "docker itself failed" (as docker-run says it)
        assert (text[0] == text[0].upper() or text[0] == "`" or where.endswith("when")
                or text.startswith(name)), f"{name}: {where} starts in lower case"


@pytest.mark.parametrize("name", WITH_OUTCOMES)
def test_every_outcome_says_which_versions_print_it(name: str) -> None:
    for row in load_builtin(name).outcomes:
        assert row.when is not None and re.search(r"\d", row.when), (name, row.name)


def test_the_texts_point_to_the_tools_own_flags() -> None:
    def outcome(name: str, row: str) -> str:
        found = load_builtin(name).outcome(row)
        assert found is not None
        return f"{found.meaning} {found.when} {found.recovery}"

    assert "kubectl delete --ignore-not-found" in outcome("kubectl", "not-found")
    helm = outcome("helm", "not-found")
    assert "--ignore-not-found" in helm and "v3.13.0" in helm
    docker = outcome("docker", "not-found")
    assert "`docker rm -f`" in docker and "20.10.0" in docker
    # GitHub answers 404 where it means 403: not-found from gh can hide a token without access
    gh = load_builtin("gh").outcome("not-found")
    assert gh is not None and "404" in gh.meaning and "403" in gh.meaning
    assert "token" in gh.meaning
    for row in load_builtin("psql").outcomes:
        assert "-v VERBOSITY=sqlstate" in (row.recovery or ""), row.name
    assert "IF EXISTS" in outcome("psql", "undefined-table")
    apt = load_builtin("apt-get")
    assert "Every error" in (apt[100].when or "")
    assert "not installed" in (apt[0].when or "")


@pytest.mark.parametrize(("argv", "expected"), [
    (["kubectl", "delete", "pod", "web-0"], "kubectl"),
    (["helm", "uninstall", "web"], "helm"),
    (["docker", "rm", "web"], "docker"),
    (["docker", "volume", "rm", "data"], "docker"),
    (["docker", "run", "--rm", "alpine", "false"], "docker-run"),  # its own contract wins
    (["aws", "iam", "delete-role", "--role-name", "ci-role"], "aws"),
    (["gcloud", "compute", "instances", "delete", "vm-1"], "gcloud"),
    (["gh", "release", "delete", "v1.0.0", "--yes"], "gh"),
    (["psql", "-v", "VERBOSITY=sqlstate", "-c", "DROP TABLE ci_runs"], "psql"),
    (["sudo", "userdel", "ci"], "userdel"),
    (["groupdel", "ci"], "groupdel"),
    (["podman", "rm", "-f", "web"], "podman-rm"),
    (["podman", "ps"], None),  # only `podman rm` has a contract
    (["apt-get", "remove", "-y", "nginx"], "apt-get"),
])
def test_the_contract_for_each_command_line(argv: list[str], expected: str | None) -> None:
    found = contract_for(argv)
    assert (found.name if found else None) == expected


# --- what the tools say ------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """*stderr* from *tool* exiting *status*: the outcome that alone explains it (*recognised*),
    and the one that holds when `--ok` names *ok* (names or kinds)."""

    id: str
    tool: str
    status: int
    stderr: str
    recognised: str | None
    holds: str | None
    ok: tuple[str, ...] = ("not-found",)


NOT_FOUND_POD = 'Error from server (NotFound): pods "web-0" not found'  # §1 kubectl (P v1.32.4)
FORBIDDEN_POD = ('Error from server (Forbidden): pods "b" is forbidden: User '  # §1 kubectl
                 '"system:serviceaccount:ci:deployer" cannot delete resource "pods" in API group '
                 '"" in the namespace "default"')
# pitfall 8 (P): klog lines before kubectl's message; the first two as when an aggregated API is
# down and the delete still goes on, the last as when the server is unreachable
KLOG_METRICS = ('E1130 04:23:42.190423   41235 memcache.go:265] "Unhandled Error" err="couldn\'t '
                'get resource list for metrics.k8s.io/v1beta1: the server is currently unable to '
                'handle the request"')
KLOG_REFUSED = ('E1130 04:23:42.190423   41235 memcache.go:265] "Unhandled Error" err="couldn\'t '
                'get current server API group list: Get \\"https://127.0.0.1:6443/api?timeout=32s\\"'
                ': dial tcp 127.0.0.1:6443: connect: connection refused"')
ROLE_GONE = ("An error occurred (NoSuchEntity) when calling the DeleteRole operation: "  # §1 aws
             "The role with name ci-role cannot be found.")
COMPUTE = "ERROR: (gcloud.compute.instances.delete) Could not fetch resource:"  # §1 gcloud (P)
VM_GONE = " - The resource 'projects/ci-project/zones/us-central1-a/instances/vm-1' was not found"
# compute's 403 detail line (same first line as a not-found, §1 gcloud)
VM_DENIED = (" - Required 'compute.instances.delete' permission for "
             "'projects/ci-project/zones/us-central1-a/instances/vm-2'")
PSQL_NOT_FOUND = ("undefined-table", "undefined-object", "invalid-catalog-name")

CASES = [
    # --- kubectl: §1 kubectl delete, "Other outcomes" kubectl, pitfalls 4 and 8
    Case("kubectl-not-found", "kubectl", 1, NOT_FOUND_POD + "\n", "not-found", "not-found"),
    Case("kubectl-not-found-twice", "kubectl", 1,
         NOT_FOUND_POD + '\nError from server (NotFound): pods "web-1" not found\n',
         "not-found", "not-found"),
    Case("kubectl-mixed-forbidden-vetoes", "kubectl", 1,  # pitfall 4: a b c
         'Error from server (NotFound): pods "a" not found\n' + FORBIDDEN_POD + "\n"
         'Error from server (NotFound): pods "c" not found\n', None, None),
    Case("kubectl-mixed-both-accepted", "kubectl", 1,
         'Error from server (NotFound): pods "a" not found\n' + FORBIDDEN_POD + "\n",
         None, "not-found", ok=("not-found", "forbidden")),
    Case("kubectl-forbidden", "kubectl", 1, FORBIDDEN_POD + "\n", "forbidden", None),
    Case("kubectl-forbidden-by-kind", "kubectl", 1, FORBIDDEN_POD + "\n", "forbidden",
         "forbidden", ok=("auth",)),
    Case("kubectl-unauthorized", "kubectl", 1,  # "Other outcomes": 401
         "error: You must be logged in to the server (Unauthorized)\n", "unauthorized", None),
    Case("kubectl-unauthorized-message", "kubectl", 1,  # helpers.go: the Status message
         "error: You must be logged in to the server (the server has asked for the client to "
         "provide credentials)\n", "unauthorized", "unauthorized", ok=("unauthorized",)),
    Case("kubectl-already-exists", "kubectl", 1,
         'Error from server (AlreadyExists): pods "web-0" already exists\n', "already-exists",
         "already-exists", ok=("already-exists",)),
    Case("kubectl-conflict-is-a-name-first", "kubectl", 1,  # --ok conflict: the outcome so named
         'Error from server (AlreadyExists): pods "web-0" already exists\n', "already-exists",
         None, ok=("conflict",)),
    Case("kubectl-conflict", "kubectl", 1,
         'Error from server (Conflict): Operation cannot be fulfilled on deployments.apps "web": '
         "the object has been modified; please apply your changes to the latest version and try "
         "again\n", "conflict", "conflict", ok=("conflict",)),
    Case("kubectl-too-many-requests", "kubectl", 1,
         "Error from server (TooManyRequests): the server has received too many requests and has "
         "asked us to try again later\n", "too-many-requests", "too-many-requests",
         ok=("rate-limited",)),
    Case("kubectl-klog-noise", "kubectl", 1,
         f"{KLOG_METRICS}\n{KLOG_METRICS}\n{NOT_FOUND_POD}\n", "not-found", "not-found"),
    Case("kubectl-unreachable", "kubectl", 1,
         f"{KLOG_REFUSED}\n" * 5 + "The connection to the server 127.0.0.1:6443 was refused - "
         "did you specify the right host or port?\n", None, None),
    Case("kubectl-other-error-vetoes", "kubectl", 1,
         NOT_FOUND_POD + '\nerror: the server doesn\'t have a resource type "widgets"\n',
         None, None),
    Case("kubectl-ansi", "kubectl", 1, f"\x1b[31m{NOT_FOUND_POD}\x1b[0m\n", "not-found",
         "not-found"),
    Case("kubectl-crlf", "kubectl", 1, NOT_FOUND_POD + "\r\n", "not-found", "not-found"),
    Case("kubectl-exit-0", "kubectl", 0, NOT_FOUND_POD + "\n", None, None),
    Case("kubectl-other-status", "kubectl", 2, NOT_FOUND_POD + "\n", None, None),
    Case("kubectl-silent-failure", "kubectl", 1, "", None, None),
    # --- helm: §1 helm uninstall (Helm 3 and Helm 2 wording)
    Case("helm3", "helm", 1, "Error: uninstall: Release not loaded: web: release: not found\n",
         "not-found", "not-found"),
    Case("helm2", "helm", 1, 'Error: release: "web" not found\n', "not-found", "not-found"),
    Case("helm3-status", "helm", 1, "Error: release: not found\n", "not-found", "not-found"),
    Case("helm-unreachable", "helm", 1,
         'Error: Kubernetes cluster unreachable: Get "https://127.0.0.1:6443/version": dial tcp '
         "127.0.0.1:6443: connect: connection refused\n", None, None),
    Case("helm-ansi", "helm", 1,
         "\x1b[1;31mError:\x1b[0m uninstall: Release not loaded: web: release: not found\n",
         "not-found", "not-found"),
    Case("helm-crlf", "helm", 1,
         "Error: uninstall: Release not loaded: web: release: not found\r\n", "not-found",
         "not-found"),
    Case("helm-exit-0", "helm", 0, "Error: release: not found\n", None, None),
    # --- docker: §1 docker rm; moby's texts for images, volumes, networks
    Case("docker-container", "docker", 1, "Error response from daemon: No such container: web\n",
         "not-found", "not-found"),
    Case("docker-container-old-cli", "docker", 1, "Error: No such container: web\n", "not-found",
         "not-found"),
    Case("docker-two-containers", "docker", 1,
         "Error response from daemon: No such container: web\n"
         "Error response from daemon: No such container: worker\n", "not-found", "not-found"),
    Case("docker-mixed-running-vetoes", "docker", 1,
         "Error response from daemon: No such container: web\n"
         'Error response from daemon: cannot remove container "/worker": container is running: '
         "stop the container before removing or force remove\n", None, None),
    Case("docker-image", "docker", 1, "Error response from daemon: No such image: busybox:latest\n",
         "not-found", "not-found"),
    Case("docker-volume", "docker", 1, "Error response from daemon: get data: no such volume\n",
         "not-found", "not-found"),
    Case("docker-network", "docker", 1,  # network/remove.go prints the Status after the errors
         "Error response from daemon: network backend not found\nexit status 1\n", "not-found",
         "not-found"),
    Case("docker-network-old-daemon", "docker", 1,
         "Error response from daemon: No such network: backend\n", "not-found", "not-found"),
    Case("docker-rm-f-printed-exit-0", "docker", 0,  # v20.10.0 to v29.6: the line, then 0
         "Error response from daemon: No such container: web\n", None, None),
    Case("docker-daemon-down", "docker", 1,
         "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker "
         "daemon running?\n", None, None),
    Case("docker-exit-125", "docker", 125, "Error response from daemon: No such container: web\n",
         None, None),
    Case("docker-ansi-crlf", "docker", 1,
         "\x1b[31mError response from daemon: No such container: web\x1b[0m\r\n", "not-found",
         "not-found"),
    # --- aws: §1 aws … delete-* (P v1.45.11: 255, the retries infix), v2.34.0 prefix and JSON
    Case("aws-v2", "aws", 254, f"\n{ROLE_GONE}\n", "not-found", "not-found"),
    Case("aws-v1", "aws", 255, f"\n{ROLE_GONE}\n", "not-found", "not-found"),
    Case("aws-prefixed", "aws", 254,
         "\naws: [ERROR]: An error occurred (NoSuchBucket) when calling the DeleteBucket "
         "operation: The specified bucket does not exist\n\nAdditional error details:\n"
         "BucketName: ci-artifacts\n", "not-found", "not-found"),
    Case("aws-retries-infix", "aws", 255,
         "\nAn error occurred (NoSuchKey) when calling the GetObject operation (reached max "
         "retries: 4): The specified key does not exist.\n", "not-found", "not-found"),
    Case("aws-json", "aws", 254,
         '{\n    "Code": "NoSuchEntity",\n    "Message": "The role with name ci-role cannot be '
         'found."\n}\n', "not-found", "not-found"),
    Case("aws-json-one-line", "aws", 254,  # the notes give no exact JSON shape: any spacing
         '{"Code":"ResourceNotFoundException","Message":"Requested resource not found"}\n',
         "not-found", "not-found"),
    Case("aws-head-404", "aws", 254,
         "\nAn error occurred (404) when calling the HeadObject operation: Not Found\n",
         "not-found", "not-found"),
    Case("aws-ec2", "aws", 254,
         "\nAn error occurred (InvalidInstanceID.NotFound) when calling the TerminateInstances "
         "operation: The instance ID 'i-0123456789abcdef0' does not exist\n", "not-found",
         "not-found"),
    Case("aws-ecr", "aws", 254,
         "\nAn error occurred (RepositoryNotFoundException) when calling the DeleteRepository "
         "operation: The repository with name 'app' does not exist in the registry with id "
         "'123456789012'\n", "not-found", "not-found"),
    Case("aws-resource-not-found", "aws", 254,
         "\nAn error occurred (ResourceNotFoundException) when calling the DeleteTable operation: "
         "Requested resource not found\n", "not-found", "not-found"),
    Case("aws-throttled", "aws", 254,  # "Other outcomes": retried 4 times first (P)
         "\nAn error occurred (ThrottlingException) when calling the DescribeStacks operation "
         "(reached max retries: 4): Rate exceeded\n", "throttled", "throttled",
         ok=("rate-limited",)),
    Case("aws-throttled-json", "aws", 254,
         '{\n    "Code": "RequestLimitExceeded",\n    "Message": "Request limit exceeded."\n}\n',
         "throttled", None),
    Case("aws-slow-down", "aws", 255,
         "\nAn error occurred (SlowDown) when calling the PutObject operation (reached max "
         "retries: 4): Please reduce your request rate.\n", "throttled", None),
    Case("aws-access-denied", "aws", 254,
         "\nAn error occurred (AccessDenied) when calling the DeleteRole operation: User: "
         "arn:aws:iam::123456789012:user/ci is not authorized to perform: iam:DeleteRole on "
         "resource: role ci-role because no identity-based policy allows the iam:DeleteRole "
         "action\n", "access-denied", None),
    Case("aws-unauthorized-operation", "aws", 254,
         "\nAn error occurred (UnauthorizedOperation) when calling the TerminateInstances "
         "operation: You are not authorized to perform this operation.\n", "access-denied",
         "access-denied", ok=("auth",)),
    Case("aws-expired-token", "aws", 254,
         "\naws: [ERROR]: An error occurred (ExpiredToken) when calling the GetCallerIdentity "
         "operation: The security token included in the request is expired\n", "access-denied",
         None),
    Case("aws-other-code", "aws", 254,  # CloudFormation's missing stack is a ValidationError
         "\nAn error occurred (ValidationError) when calling the DescribeStacks operation: Stack "
         "with id ci-stack does not exist\n", None, None),
    Case("aws-no-credentials", "aws", 253,
         '\naws: [ERROR]: Unable to locate credentials. You can configure credentials by running '
         '"aws login".\n', None, None),
    Case("aws-code-not-refined", "aws", 253, f"\n{ROLE_GONE}\n", None, None),
    Case("aws-exit-0", "aws", 0, f"\n{ROLE_GONE}\n", None, None),
    Case("aws-crlf", "aws", 254, f"\r\n{ROLE_GONE}\r\n", "not-found", "not-found"),
    # --- gcloud: §1 gcloud … delete (P 528.0.0), "Other outcomes" gcloud
    Case("gcloud-compute", "gcloud", 1, f"{COMPUTE}\n{VM_GONE}\n", "not-found", "not-found"),
    Case("gcloud-compute-403", "gcloud", 1, f"{COMPUTE}\n{VM_DENIED}\n", "permission-denied",
         None),
    Case("gcloud-compute-429", "gcloud", 1,  # same first line; a detail the contract does not know
         f"{COMPUTE}\n - Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' "
         "of service 'compute.googleapis.com' for consumer 'project_number:123456789012'.\n",
         None, None),
    Case("gcloud-compute-mixed", "gcloud", 1, f"{COMPUTE}\n{VM_GONE}\n{VM_DENIED}\n", None, None),
    Case("gcloud-compute-mixed-both-accepted", "gcloud", 1, f"{COMPUTE}\n{VM_GONE}\n{VM_DENIED}\n",
         None, "not-found", ok=("not-found", "auth")),
    Case("gcloud-header-alone", "gcloud", 1, f"{COMPUTE}\n", None, None),
    Case("gcloud-warning-details-veto", "gcloud", 1,  # a warning's ` - ` lines count: safe side
         "WARNING: Some requests generated warnings:\n - The resource "
         "'projects/centos-cloud/global/images/centos-7-v20160301' is deprecated.\n"
         f"{COMPUTE}\n{VM_GONE}\n", None, None),
    Case("gcloud-not-found", "gcloud", 1,
         "ERROR: (gcloud.secrets.delete) NOT_FOUND: Requested entity was not found.\n",
         "not-found", "not-found"),
    Case("gcloud-permission-denied", "gcloud", 1,
         "ERROR: (gcloud.secrets.delete) PERMISSION_DENIED: Permission "
         "'secretmanager.secrets.delete' denied for resource "
         "'projects/ci-project/secrets/db-password' (or it may not exist).\n",
         "permission-denied", None),
    Case("gcloud-may-not-exist", "gcloud", 1,  # 403 "(or it may not exist)": never not-found
         "ERROR: (gcloud.storage.buckets.delete) [ci@ci-project.iam.gserviceaccount.com] does not "
         "have permission to access b instance [ci-artifacts] (or it may not exist): "
         "ci@ci-project.iam.gserviceaccount.com does not have storage.buckets.get access to the "
         "Google Cloud Storage bucket. Permission 'storage.buckets.get' denied on resource (or it "
         "may not exist).\n", "permission-denied", None),
    Case("gcloud-already-exists", "gcloud", 1,
         "ERROR: (gcloud.secrets.create) ALREADY_EXISTS: Secret "
         "[projects/123456789012/secrets/db-password] already exists.\n", "already-exists", None),
    Case("gcloud-resource-exhausted", "gcloud", 1,
         "ERROR: (gcloud.run.deploy) RESOURCE_EXHAUSTED: Quota exceeded for quota metric 'Write "
         "requests' and limit 'Write requests per minute per region' of service "
         "'run.googleapis.com'.\n", "resource-exhausted", "resource-exhausted",
         ok=("rate-limited",)),
    Case("gcloud-own-text", "gcloud", 1,  # §1: some commands print their own text
         "ERROR: (gcloud.run.services.delete) Service [web] could not be found.\n", None, None),
    Case("gcloud-crlf", "gcloud", 1, f"{COMPUTE}\r\n{VM_GONE}\r\n", "not-found", "not-found"),
    Case("gcloud-exit-0", "gcloud", 0, f"{COMPUTE}\n{VM_GONE}\n", None, None),
    # --- gh: §1 gh … delete (cli/cli v2.60.0); pitfall 5: GitHub answers 404 for 403
    Case("gh-rest-404", "gh", 1,
         "HTTP 404: Not Found (https://api.github.com/repos/acme/app/releases/123456)\n",
         "not-found", "not-found"),
    Case("gh-api-404", "gh", 1, "gh: Not Found (HTTP 404)\n", "not-found", "not-found"),
    Case("gh-api-404-bare", "gh", 1, "gh: HTTP 404\n", "not-found", "not-found"),
    Case("gh-api-404-missing-scope", "gh", 1,  # the 404 that means 403: vetoed
         'gh: Not Found (HTTP 404)\ngh: This API operation needs the "admin:org" scope. To '
         "request it, run:  gh auth refresh -h github.com -s admin:org\n", None, None),
    Case("gh-release", "gh", 1, "release not found\n", "not-found", "not-found"),
    Case("gh-graphql", "gh", 1,
         "GraphQL: Could not resolve to a Repository with the name 'acme/gone'. (repository)\n",
         "not-found", "not-found"),
    Case("gh-2.23-graphql", "gh", 1,  # gh 2.23.0 against a fake server (test_real_tools.py)
         "Message: Could not resolve to a Repository with the name 'o/gone'., Locations: "
         "[{Line:1 Column:76}]\n", "not-found", "not-found"),
    Case("gh-2.23-graphql-other", "gh", 1,  # another GraphQL error in that form: vetoes
         "Message: Could not resolve to a Repository with the name 'o/gone'., Locations: "
         "[{Line:1 Column:76}]\nMessage: Resource not accessible by integration, Locations: "
         "[{Line:1 Column:9}]\n", None, None),
    Case("gh-graphql-two-errors", "gh", 1,  # go-gh joins several errors with ", "
         "GraphQL: Could not resolve to a Repository with the name 'acme/gone'. (repository), "
         "Resource not accessible by integration (repository)\n", None, None),
    Case("gh-403", "gh", 1,
         "HTTP 403: Resource not accessible by integration "
         "(https://api.github.com/repos/acme/app/releases/123456)\n", None, None),
    Case("gh-auth", "gh", 4,
         "To get started with GitHub CLI, please run:  gh auth login\n", None, None),
    Case("gh-exit-0", "gh", 0, "release not found\n", None, None),
    Case("gh-ansi", "gh", 1,
         "\x1b[31mHTTP 404: Not Found (https://api.github.com/repos/acme/app)\x1b[0m\n",
         "not-found", "not-found"),
    # --- psql: §1 psql -c 'DROP …' (P PostgreSQL 15.18, VERBOSITY=sqlstate), "Other outcomes"
    Case("psql-c", "psql", 1, "ERROR:  42P01\n", "undefined-table", "undefined-table"),
    Case("psql-c-by-kind", "psql", 1, "ERROR:  42P01\n", "undefined-table", "undefined-table",
         ok=PSQL_NOT_FOUND),
    Case("psql-script", "psql", 3, "psql:teardown.sql:3: ERROR:  42P01\n", "undefined-table",
         "undefined-table"),
    Case("psql-german-server", "psql", 1, "FEHLER:  42P01\n", "undefined-table",
         "undefined-table"),
    Case("psql-russian-server", "psql", 1, "ОШИБКА:  42P01\n", "undefined-table",
         "undefined-table"),
    Case("psql-verbose", "psql", 1,  # VERBOSITY=verbose: `SQLSTATE: message`
         'ERROR:  42P01: table "ci_runs" does not exist\n'
         "LOCATION:  DropErrorMsgNonExistent, tablecmds.c:1300\n", "undefined-table",
         "undefined-table"),
    Case("psql-no-sqlstate", "psql", 1, 'ERROR:  table "ci_runs" does not exist\n', None, None),
    Case("psql-role", "psql", 1, "ERROR:  42704\n", "undefined-object", "undefined-object"),
    Case("psql-database", "psql", 1, "ERROR:  3D000\n", "invalid-catalog-name",
         "invalid-catalog-name"),
    Case("psql-duplicate", "psql", 1, "ERROR:  42P07\n", "duplicate-table", None),
    Case("psql-privilege", "psql", 1, "ERROR:  42501\n", "insufficient-privilege", None),
    Case("psql-mixed", "psql", 1, "ERROR:  42501\nERROR:  42P01\n", None, None),
    Case("psql-notice-is-no-error", "psql", 1, "NOTICE:  00000\nERROR:  42P01\n",
         "undefined-table", "undefined-table"),
    Case("psql-script-without-stop", "psql", 0, "psql:teardown.sql:3: ERROR:  42P01\n",
         None, None),
    Case("psql-connection", "psql", 2,
         'psql: error: connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: '
         'FATAL:  database "ci" does not exist\n', None, None),
    Case("psql-crlf", "psql", 1, "NOTICE:  00000\r\nERROR:  42P01\r\n", "undefined-table",
         "undefined-table"),
]


def test_case_ids_are_unique() -> None:
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_what_the_tool_said(case: Case) -> None:
    contract = load_builtin(case.tool)
    lines = read(case.tool, case.stderr)
    recognised = lines.recognised(case.status)
    assert (recognised.name if recognised else None) == case.recognised
    ok = accepted(contract, *case.ok)
    assert ok, case.ok
    holds = lines.holds(case.status, ok)
    assert (holds.name if holds else None) == case.holds


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_what_the_tool_said_in_small_pieces(case: Case) -> None:
    whole = read(case.tool, case.stderr)
    pieces = read(case.tool, case.stderr, piece=3)
    assert pieces.matched == whole.matched
    assert pieces.explanations == whole.explanations


# --- every outcome, one line each --------------------------------------------------------------

#: (contract, outcome) → a line that names it (from the cases above)
SAMPLES: dict[tuple[str, str], str] = {
    ("kubectl", "not-found"): NOT_FOUND_POD,
    ("kubectl", "already-exists"): 'Error from server (AlreadyExists): pods "web-0" already exists',
    ("kubectl", "forbidden"): FORBIDDEN_POD,
    ("kubectl", "unauthorized"): "error: You must be logged in to the server (Unauthorized)",
    ("kubectl", "conflict"): "Error from server (Conflict): Operation cannot be fulfilled",
    ("kubectl", "too-many-requests"): "Error from server (TooManyRequests): slow down",
    ("helm", "not-found"): "Error: uninstall: Release not loaded: web: release: not found",
    ("docker", "not-found"): "Error response from daemon: No such container: web",
    ("aws", "not-found"): ROLE_GONE,
    ("aws", "throttled"): "An error occurred (Throttling) when calling the ListRoles operation "
                          "(reached max retries: 4): Rate exceeded",
    ("aws", "access-denied"): "An error occurred (AccessDeniedException) when calling the "
                              "DeleteTable operation: not authorized",
    ("gcloud", "not-found"): "ERROR: (gcloud.secrets.delete) NOT_FOUND: Requested entity was "
                             "not found.",
    ("gcloud", "permission-denied"): "ERROR: (gcloud.secrets.delete) PERMISSION_DENIED: denied",
    ("gcloud", "already-exists"): "ERROR: (gcloud.secrets.create) ALREADY_EXISTS: exists",
    ("gcloud", "resource-exhausted"): "ERROR: (gcloud.run.deploy) RESOURCE_EXHAUSTED: quota",
    ("gh", "not-found"): "gh: Not Found (HTTP 404)",
    ("psql", "undefined-table"): "ERROR:  42P01",
    ("psql", "undefined-object"): "ERROR:  42704",
    ("psql", "invalid-catalog-name"): "ERROR:  3D000",
    ("psql", "duplicate-table"): "ERROR:  42P07",
    ("psql", "insufficient-privilege"): "ERROR:  42501",
}


def test_every_outcome_has_a_sample() -> None:
    assert set(SAMPLES) == {(name, row) for name, rows in OUTCOMES.items() for row in rows}


@pytest.mark.parametrize(("name", "row"), sorted(SAMPLES))
def test_an_outcome_holds_for_its_codes_and_never_for_another(name: str, row: str) -> None:
    line = SAMPLES[(name, row)]
    contract = load_builtin(name)
    outcome = contract.outcome(row)
    assert outcome is not None
    # the line is an error line, and names this outcome alone
    assert any(re.search(p, line) for p in contract.stderr.errors), line
    assert [o.name for o in contract.outcomes if re.search(o.pattern, line)] == [row]
    lines = read(name, line + "\n")
    for status in range(256):
        held = lines.holds(status, {row})
        if status in outcome.codes:
            assert held is outcome, status
            assert lines.recognised(status) is outcome, status
        else:
            assert held is None, status
            assert lines.recognised(status) is None, status


@pytest.mark.parametrize(("name", "row"), sorted(SAMPLES))
def test_another_outcomes_error_line_vetoes(name: str, row: str) -> None:
    """Every sample is an error line: next to another outcome's line, neither holds alone."""
    others = [line for (tool, other), line in SAMPLES.items() if tool == name and other != row]
    if not others:
        others = {"helm": ["Error: Kubernetes cluster unreachable"],
                  "docker": ["Error response from daemon: conflict"],
                  "gh": ["HTTP 403: Forbidden (https://api.github.com/repos/acme/app)"]}[name]
    outcome = load_builtin(name).outcome(row)
    assert outcome is not None
    lines = read(name, SAMPLES[(name, row)] + "\n" + others[0] + "\n")
    assert lines.holds(outcome.codes[0], {row}) is None


# --- the fake tools ----------------------------------------------------------------------------

#: (tool, FAKE_SCENARIO) → (status, the outcome recognised, whether `--ok not-found` tolerates it)
FAKE_RESULTS: dict[tuple[str, str], tuple[int, str | None, bool]] = {
    ("kubectl", "ok"): (0, None, False),
    ("kubectl", "not-found"): (1, "not-found", True),
    ("kubectl", "not-found-many"): (1, "not-found", True),
    ("kubectl", "mixed"): (1, None, False),
    ("kubectl", "forbidden"): (1, "forbidden", False),
    ("kubectl", "unauthorized"): (1, "unauthorized", False),
    ("kubectl", "unauthorized-credentials"): (1, "unauthorized", False),
    ("kubectl", "already-exists"): (1, "already-exists", False),
    ("kubectl", "conflict"): (1, "conflict", False),
    ("kubectl", "throttled"): (1, "too-many-requests", False),
    ("kubectl", "klog"): (1, "not-found", True),
    ("kubectl", "unreachable"): (1, None, False),
    ("kubectl", "ansi"): (1, "not-found", True),
    ("kubectl", "crlf"): (1, "not-found", True),
    ("helm", "ok"): (0, None, False),
    ("helm", "not-found"): (1, "not-found", True),
    ("helm", "not-found-helm2"): (1, "not-found", True),
    ("helm", "status-not-found"): (1, "not-found", True),
    ("helm", "unreachable"): (1, None, False),
    ("helm", "ansi"): (1, "not-found", True),
    ("helm", "crlf"): (1, "not-found", True),
    ("docker", "ok"): (0, None, False),
    ("docker", "not-found"): (1, "not-found", True),
    ("docker", "not-found-old"): (1, "not-found", True),
    ("docker", "not-found-many"): (1, "not-found", True),
    ("docker", "mixed"): (1, None, False),
    ("docker", "image"): (1, "not-found", True),
    ("docker", "volume"): (1, "not-found", True),
    ("docker", "network"): (1, "not-found", True),
    ("docker", "network-old"): (1, "not-found", True),
    ("docker", "force-printed"): (0, None, False),
    ("docker", "daemon-down"): (1, None, False),
    ("docker", "usage"): (125, None, False),
    ("docker", "ansi"): (1, "not-found", True),
    ("docker", "crlf"): (1, "not-found", True),
    ("aws", "ok"): (0, None, False),
    ("aws", "not-found"): (254, "not-found", True),
    ("aws", "not-found-v1"): (255, "not-found", True),
    ("aws", "not-found-prefixed"): (254, "not-found", True),
    ("aws", "not-found-json"): (254, "not-found", True),
    ("aws", "not-found-head"): (254, "not-found", True),
    ("aws", "not-found-ec2"): (254, "not-found", True),
    ("aws", "throttled"): (254, "throttled", False),
    ("aws", "throttled-json"): (254, "throttled", False),
    ("aws", "access-denied"): (254, "access-denied", False),
    ("aws", "expired-token"): (254, "access-denied", False),
    ("aws", "other"): (254, None, False),
    ("aws", "no-credentials"): (253, None, False),
    ("aws", "crlf"): (254, "not-found", True),
    ("gcloud", "ok"): (0, None, False),
    ("gcloud", "not-found"): (1, "not-found", True),
    ("gcloud", "not-found-api"): (1, "not-found", True),
    ("gcloud", "forbidden"): (1, "permission-denied", False),
    ("gcloud", "forbidden-api"): (1, "permission-denied", False),
    ("gcloud", "may-not-exist"): (1, "permission-denied", False),
    ("gcloud", "rate-limited"): (1, None, False),
    ("gcloud", "mixed"): (1, None, False),
    ("gcloud", "already-exists"): (1, "already-exists", False),
    ("gcloud", "exhausted"): (1, "resource-exhausted", False),
    ("gcloud", "own-text"): (1, None, False),
    ("gcloud", "crlf"): (1, "not-found", True),
    ("gh", "ok"): (0, None, False),
    ("gh", "not-found"): (1, "not-found", True),
    ("gh", "api-not-found"): (1, "not-found", True),
    ("gh", "api-scope"): (1, None, False),
    ("gh", "release-not-found"): (1, "not-found", True),
    ("gh", "graphql-not-found"): (1, "not-found", True),
    ("gh", "forbidden"): (1, None, False),
    ("gh", "auth"): (4, None, False),
    ("gh", "pending"): (8, None, False),
    ("gh", "ansi"): (1, "not-found", True),
    ("psql", "ok"): (0, None, False),
    ("psql", "not-found"): (1, "undefined-table", True),
    ("psql", "not-found-script"): (3, "undefined-table", True),
    ("psql", "translated"): (1, "undefined-table", True),
    ("psql", "no-sqlstate"): (1, None, False),
    ("psql", "undefined-object"): (1, "undefined-object", True),
    ("psql", "no-database"): (1, "invalid-catalog-name", True),
    ("psql", "duplicate"): (1, "duplicate-table", False),
    ("psql", "permission"): (1, "insufficient-privilege", False),
    ("psql", "mixed"): (1, None, False),
    ("psql", "script-ignored"): (0, None, False),
    ("psql", "connection"): (2, None, False),
    ("psql", "crlf"): (1, "undefined-table", True),
}


def scenarios(tool: str) -> list[str]:
    """The scenarios a fake's header comment lists."""
    text = (FAKES / tool).read_text()
    match = re.search(r"^# Scenarios: (.*(?:\n# (?!\S+:).*)*)", text, re.MULTILINE)
    assert match, tool
    return match.group(1).replace("\n#", " ").split()


@pytest.mark.parametrize("tool", WITH_OUTCOMES)
def test_each_fake_lists_what_it_can_say(tool: str) -> None:
    path = FAKES / tool
    assert path.read_text().startswith("#!/bin/sh\n")
    assert path.stat().st_mode & 0o111
    assert sorted(scenarios(tool)) == sorted(s for t, s in FAKE_RESULTS if t == tool)


@pytest.mark.parametrize(("tool", "scenario"), sorted(FAKE_RESULTS))
def test_the_fake_says_it(tool: str, scenario: str) -> None:
    done = subprocess.run([str(FAKES / tool), "delete", "x"], capture_output=True,
                          env={"FAKE_SCENARIO": scenario, "PATH": "/usr/bin:/bin"}, timeout=30)
    status, recognised, tolerated = FAKE_RESULTS[(tool, scenario)]
    assert done.returncode == status, done.stderr
    lines = read(tool, done.stderr)
    found = lines.recognised(status)
    assert (found.name if found else None) == recognised
    contract = load_builtin(tool)
    assert (lines.holds(status, accepted(contract, "not-found")) is not None) == tolerated


def test_an_unknown_scenario_is_not_mistaken_for_an_outcome() -> None:
    for tool in WITH_OUTCOMES:
        done = subprocess.run([str(FAKES / tool)], capture_output=True, timeout=30,
                              env={"FAKE_SCENARIO": "bogus", "PATH": "/usr/bin:/bin"})
        assert done.returncode == 99
        assert b"unknown FAKE_SCENARIO bogus" in done.stderr
