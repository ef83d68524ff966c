"""``exitkit run --ok …`` over the REAL kubectl, aws and gh, talking to local servers that answer
as the Kubernetes API server, AWS IAM and GitHub Enterprise answer (tests/helpers/fake_servers.py:
the same status codes, headers and error bodies; each body's source is named there).

The fakes in tests/fakes/outcomes/ print what the research notes say the tools print; these tests
check that the tools print it (or what else they print), and that the built-in contracts read it:
each case runs the tool once by itself and once under exitkit, and checks that exitkit relayed
its stderr unchanged and exited as the contract says.

The tool is whichever is first on PATH (``program("kubectl")``): a missing one skips the test,
or fails it when EXITKIT_REQUIRE_SHELLS lists it. Seen here: kubectl v1.20.2 (Debian's
kubernetes-client) and v1.32.4 (Google Cloud SDK's), aws-cli 2.9.19 (Debian's awscli) and
1.45.11 (pip), gh 2.23.0 (Debian's); tools/ensure-test-deps.sh installs Debian's.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import EXITKIT
from helpers.fake_servers import (
    DEPLOYER,
    IAM_THROTTLING,
    KUBE_UNAUTHORIZED,
    FakeServer,
    GitHubRepo,
    Handler,
    Reply,
    Request,
    TLSFiles,
    closed_port,
    iam_access_denied,
    iam_api,
    iam_deleted,
    iam_no_such_role,
    kube_api,
    kube_pod,
    kube_pod_forbidden,
    kube_pod_not_found,
    kube_too_many_requests,
    kubeconfig,
    self_signed_certificate,
)
from shells_util import program, required_programs

# --- running a tool, by itself and under exitkit ----------------------------------------------

#: exitkit's own lines on stderr (docs/run.md, "What exitkit says")
OURS = "exitkit: "

#: klog's header (`E1130 04:23:42.190423   41235 memcache.go:265] `): its time and pid change
#: from one run to the next, and nothing else in the tools' stderr does
KLOG = re.compile(r"^([EWIF])\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ ", re.MULTILINE)


@dataclass(frozen=True)
class Direct:
    """The tool run by itself."""

    status: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Wrapped:
    """The tool run under ``exitkit run``."""

    status: int
    stdout: str
    stderr: str
    report: dict[str, Any]

    @property
    def tools_stderr(self) -> str:
        """The stderr without exitkit's own lines: what the tool wrote."""
        return "".join(line for line in self.stderr.splitlines(keepends=True)
                       if not line.startswith(OURS))

    @property
    def ours(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith(OURS)]


_runs = itertools.count(1)


def _run(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run *argv*; its output as bytes read, decoded without turning ``\r\n`` into ``\n``
    (``text=True`` would), so that comparisons are byte for byte."""
    out = subprocess.run(argv, capture_output=True, env=env, timeout=60,
                         stdin=subprocess.DEVNULL, check=False)
    return (out.returncode, out.stdout.decode("utf-8", "surrogateescape"),
            out.stderr.decode("utf-8", "surrogateescape"))


def direct(argv: list[str], env: dict[str, str]) -> Direct:
    return Direct(*_run(argv, env))


def wrapped(options: list[str], argv: list[str], env: dict[str, str], tmp_path: Path) -> Wrapped:
    report = tmp_path / f"report-{next(_runs)}.json"
    status, stdout, stderr = _run(
        [EXITKIT, "run", *options, "--report", str(report), "--", *argv], env)
    assert report.exists(), f"exitkit wrote no report; exit {status}, stderr: {stderr}"
    return Wrapped(status, stdout, stderr, json.loads(report.read_text()))


def same_stderr(tool: str, relayed: str) -> None:
    """*relayed* (what the tool wrote under exitkit) is *tool* (what it wrote by itself), byte for
    byte but for klog's times and pids."""
    assert KLOG.sub(r"\1<time pid> ", relayed) == KLOG.sub(r"\1<time pid> ", tool)


def assert_relayed(alone: Direct, under: Wrapped) -> None:
    """exitkit passed the tool's stdout and stderr on unchanged, and then said one line."""
    assert under.stdout == alone.stdout
    same_stderr(alone.stderr, under.tools_stderr)
    assert under.stderr.startswith(under.tools_stderr)  # exitkit's line comes after, never within
    assert len(under.ours) == 1, under.stderr


@contextmanager
def serving(handler: Handler, *, tls: TLSFiles | None = None) -> Iterator[FakeServer]:
    with FakeServer(handler, tls=tls) as server:
        yield server
    assert server.problems == []


def first_client_only(fail: Reply, then: Callable[[], Reply]) -> Callable[[Request], Reply]:
    """*fail* to the process that asked first, *then()* to every later one.

    A process is told apart by its connections: kubectl and botocore keep theirs open for the
    whole run, and retry on them, so every request on a connection the server had accepted by
    the time the first request came is the first process's, and every later process opens new
    ones. (A first process that opened a new connection to retry would be let through, and the
    test would see one attempt where it expects two.)"""
    first: list[int] = []

    def answer(request: Request) -> Reply:
        if not first:
            first.append(request.accepted)
        return fail if request.connection <= first[0] else then()

    return answer


# --- kubectl ----------------------------------------------------------------------------------
# What kubectl prints: pkg/cmd/util/helpers.go StandardErrorMessage (`Error from server (REASON):
# MESSAGE`, `error: You must be logged in to the server (MESSAGE)`), one line per failed object
# (MultipleErrors), exit 1 for every error (DefaultErrorExitCode).


@dataclass
class KubeRun:
    kubectl: list[str]
    tmp_path: Path
    url: str = ""

    @contextmanager
    def server(self, on_delete: Callable[[Request, str], Reply], *,
               everything: Reply | None = None) -> Iterator[FakeServer]:
        with serving(kube_api(on_delete, everything=everything)) as server:
            self.url = server.url
            yield server

    def env(self) -> dict[str, str]:
        # HOME is the test's own (conftest's world), so kubectl's discovery cache is too
        config = kubeconfig(self.tmp_path / "kubeconfig", self.url)
        return {**os.environ, "KUBECONFIG": str(config)}

    def alone(self, *args: str) -> Direct:
        return direct([*self.kubectl, *args], self.env())

    def under(self, options: list[str], *args: str) -> Wrapped:
        return wrapped(options, [*self.kubectl, *args], self.env(), self.tmp_path)


@pytest.fixture
def kube(tmp_path: Path) -> KubeRun:
    return KubeRun(program("kubectl"), tmp_path)


def not_found(request: Request, name: str) -> Reply:
    return kube_pod_not_found(name)


def forbidden(request: Request, name: str) -> Reply:
    return kube_pod_forbidden(name)


NOT_FOUND_LINE = 'Error from server (NotFound): pods "{}" not found\n'
FORBIDDEN_LINE = (f'Error from server (Forbidden): pods "{{}}" is forbidden: User "{DEPLOYER}" '
                  'cannot delete resource "pods" in API group "" in the namespace "default"\n')


def test_kubectl_not_found_is_tolerated(kube: KubeRun) -> None:
    # apimachinery errors.NewNotFound → 404 Status, reason NotFound
    with kube.server(not_found) as server:
        alone = kube.alone("delete", "pod", "web-0")
        assert (alone.status, alone.stderr) == (1, NOT_FOUND_LINE.format("web-0"))
        under = kube.under(["--ok", "not-found"], "delete", "pod", "web-0")
        assert [r.path for r in server.seen("DELETE")] == [
            "/api/v1/namespaces/default/pods/web-0"] * 2
    assert under.status == 0
    assert_relayed(alone, under)
    assert under.ours == [f"exitkit: kubectl exited 1 (not-found); tolerated by --ok (stderr: "
                          f"{NOT_FOUND_LINE.format('web-0').strip()})"]
    assert (under.report["name"], under.report["raw_exit_code"]) == ("not-found", 1)


def test_kubectl_forbidden_is_not_not_found(kube: KubeRun) -> None:
    # errors.NewForbidden with RBAC's reason → 403 Status, reason Forbidden
    with kube.server(forbidden):
        alone = kube.alone("delete", "pod", "web-0")
        refused = kube.under(["--ok", "not-found"], "delete", "pod", "web-0")
        accepted = kube.under(["--ok", "forbidden"], "delete", "pod", "web-0")
    assert (alone.status, alone.stderr) == (1, FORBIDDEN_LINE.format("web-0"))
    assert (refused.status, refused.report["name"]) == (1, "forbidden")
    assert (accepted.status, accepted.report["name"]) == (0, "forbidden")
    for under in (refused, accepted):
        assert_relayed(alone, under)


def test_kubectl_one_forbidden_among_not_found_fails(kube: KubeRun) -> None:
    # research notes, pitfall 4: NotFound, Forbidden, NotFound and exit 1
    def mixed(request: Request, name: str) -> Reply:
        return kube_pod_forbidden(name) if name == "b" else kube_pod_not_found(name)

    with kube.server(mixed):
        alone = kube.alone("delete", "pod", "a", "b", "c")
        refused = kube.under(["--ok", "not-found"], "delete", "pod", "a", "b", "c")
        accepted = kube.under(["--ok", "not-found,forbidden"], "delete", "pod", "a", "b", "c")
    assert alone.status == 1
    assert alone.stderr == (NOT_FOUND_LINE.format("a") + FORBIDDEN_LINE.format("b")
                            + NOT_FOUND_LINE.format("c"))
    assert refused.status == 1
    assert refused.report["stderr_line_refused"] is True
    assert refused.report["stderr_line"] == FORBIDDEN_LINE.format("b").strip()
    assert accepted.status == 0
    for under in (refused, accepted):
        assert_relayed(alone, under)


def test_kubectl_unauthorized(kube: KubeRun) -> None:
    # the authentication filter refuses every request, discovery included: 401 Status,
    # message "Unauthorized". kubectl 1.20 prints that message, `(Unauthorized)`; 1.32 logs
    # discovery's failure through klog five times first, and words the 401 as client-go does
    with kube.server(not_found, everything=KUBE_UNAUTHORIZED) as server:
        alone = kube.alone("delete", "pod", "web-0")
        refused = kube.under(["--ok", "not-found"], "delete", "pod", "web-0")
        accepted = kube.under(["--ok", "unauthorized"], "delete", "pod", "web-0")
        assert server.seen("DELETE") == []
    assert alone.status == 1
    last = alone.stderr.splitlines()[-1]
    assert last in ("error: You must be logged in to the server (Unauthorized)",
                    "error: You must be logged in to the server (the server has asked for the "
                    "client to provide credentials)")
    assert all(KLOG.match(line) for line in alone.stderr.splitlines()[:-1])
    assert (refused.status, refused.report["name"]) == (1, "unauthorized")
    assert (accepted.status, accepted.report["name"]) == (0, "unauthorized")
    assert accepted.report["stderr_line"] == last
    for under in (refused, accepted):
        assert_relayed(alone, under)


def test_kubectl_too_many_requests_is_retried(kube: KubeRun) -> None:
    # API priority and fairness answers 429 in plain text with Retry-After (maxinflight.go
    # tooManyRequests). client-go retries that itself, 10 times, as long as Retry-After says:
    # 0 here (the real server says 1 or more), so it gives up at once and kubectl prints
    # `(TooManyRequests): the server has received too many requests …` (errors.go
    # NewGenericServerResponse). The second kubectl run is let through.
    answer = first_client_only(kube_too_many_requests(retry_after=0), lambda: kube_pod("web-0"))
    with kube.server(lambda request, name: answer(request)) as server:
        under = kube.under(["--retry-on", "too-many-requests", "--retries", "2", "--backoff", "0"],
                           "delete", "pod", "web-0")
        deletes = server.seen("DELETE")
    assert under.status == 0
    assert under.report["attempts"] == 2
    assert under.stdout == 'pod "web-0" deleted\n'
    line = ("Error from server (TooManyRequests): the server has received too many requests and "
            "has asked us to try again later (delete pods web-0)")
    assert under.tools_stderr == line + "\n"
    assert under.stderr.startswith(line + "\n")
    assert len(under.ours) == 1
    assert under.ours[0].startswith("exitkit: kubectl exited 1 (too-many-requests); retrying")
    # client-go's own retries: all on the first run's connection, then one DELETE that passed
    assert len(deletes) >= 2
    assert len({r.connection for r in deletes}) == 2


def test_kubectl_unreachable_server_is_not_tolerated(kube: KubeRun) -> None:
    # nothing listens: `The connection to the server 127.0.0.1:PORT was refused - …` (1.32 logs
    # five klog lines before it; research notes, pitfall 8)
    kube.url = f"http://127.0.0.1:{closed_port()}"
    alone = kube.alone("delete", "pod", "web-0")
    under = kube.under(["--ok", "not-found"], "delete", "pod", "web-0")
    assert alone.status == 1
    assert alone.stderr.splitlines()[-1] == (
        f"The connection to the server {kube.url.removeprefix('http://')} was refused - did you "
        "specify the right host or port?")
    assert (under.status, under.report["name"]) == (1, "error")
    assert_relayed(alone, under)


# --- aws --------------------------------------------------------------------------------------
# botocore ClientError: `An error occurred (CODE) when calling the OP operation[ (reached max
# retries: N)]: MESSAGE`, after an empty line; AWS CLI v2 exits 254 for it (awscli/constants.py
# CLIENT_ERROR_RC), v1 255.

AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_PAGER": "",
}


@functools.cache
def aws_major(aws: tuple[str, ...]) -> int:
    """1 or 2, from ``aws --version`` (``aws-cli/2.9.19 Python/…``; v1 wrote it to stderr once)."""
    out = subprocess.run([*aws, "--version"], capture_output=True, text=True, timeout=60,
                         check=False)
    found = re.search(r"aws-cli/(\d+)\.", out.stdout + out.stderr)
    assert found, out
    return int(found.group(1))


@dataclass
class AwsRun:
    aws: list[str]
    tmp_path: Path
    url: str = ""

    @property
    def service_error(self) -> int:
        return 254 if aws_major(tuple(self.aws)) >= 2 else 255

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, **AWS_ENV, **extra}

    def argv(self, *more: str) -> list[str]:
        return [*self.aws, "iam", "delete-role", "--role-name", "x", "--endpoint-url", self.url,
                "--region", "us-east-1", *more]

    def alone(self, *more: str, **extra: str) -> Direct:
        return direct(self.argv(*more), self.env(**extra))

    def under(self, options: list[str], *more: str, **extra: str) -> Wrapped:
        return wrapped(options, self.argv(*more), self.env(**extra), self.tmp_path)


@pytest.fixture
def aws(tmp_path: Path) -> AwsRun:
    return AwsRun(program("aws"), tmp_path)


def error_line(code: str, message: str, retries: str = r"(?: \(reached max retries: \d+\))?"
               ) -> re.Pattern[str]:
    """The line botocore prints for a ClientError of DeleteRole (aws 2.9 and 1.45 print it after
    an empty line, and nothing else; 2.34 puts `aws: [ERROR]: ` before it)."""
    return re.compile(rf"^(?:aws: \[ERROR\]: )?An error occurred \({code}\) when calling the "
                      rf"DeleteRole operation{retries}: {re.escape(message)}$", re.MULTILINE)


@pytest.mark.parametrize("attempts", [None, "1"], ids=["default-retries", "max-attempts-1"])
def test_aws_no_such_entity_is_not_found(aws: AwsRun, attempts: str | None) -> None:
    # IAM DeleteRole → 404 NoSuchEntity. aws 2.9 says `(reached max retries: 0)` with
    # AWS_MAX_ATTEMPTS=1, though NoSuchEntity is never retried
    extra = {} if attempts is None else {"AWS_MAX_ATTEMPTS": attempts}
    with serving(iam_api(lambda request, action: iam_no_such_role(request.form()["RoleName"]))
                 ) as server:
        aws.url = server.url
        alone = aws.alone(**extra)
        under = aws.under(["--ok", "not-found"], **extra)
        assert [r.form()["Action"] for r in server.seen("POST", "/")] == ["DeleteRole"] * 2
    assert alone.status == aws.service_error
    assert error_line("NoSuchEntity", "The role with name x cannot be found.").search(
        alone.stderr), alone.stderr
    assert (under.status, under.report["name"]) == (0, "not-found")
    assert_relayed(alone, under)


def test_aws_access_denied(aws: AwsRun) -> None:
    # 403 AccessDenied, worded as IAM words an implicit deny
    with serving(iam_api(lambda request, action: iam_access_denied("x"))) as server:
        aws.url = server.url
        alone = aws.alone(AWS_MAX_ATTEMPTS="1")
        refused = aws.under(["--ok", "not-found"], AWS_MAX_ATTEMPTS="1")
        accepted = aws.under(["--ok", "access-denied"], AWS_MAX_ATTEMPTS="1")
    assert alone.status == aws.service_error
    assert error_line("AccessDenied", "User: arn:aws:iam::123456789012:user/ci is not authorized "
                      "to perform: iam:DeleteRole on resource: role x because no identity-based "
                      "policy allows the iam:DeleteRole action").search(alone.stderr)
    assert (refused.status, refused.report["name"]) == (aws.service_error, "access-denied")
    assert (accepted.status, accepted.report["name"]) == (0, "access-denied")
    for under in (refused, accepted):
        assert_relayed(alone, under)


def test_aws_throttling_after_botocore_retried(aws: AwsRun) -> None:
    # 400 Throttling, which botocore retries itself: with two attempts it gives up saying
    # `(reached max retries: 1)`; the second aws run is let through
    retry = {"AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "2"}
    with serving(iam_api(lambda request, action: IAM_THROTTLING)) as server:
        aws.url = server.url
        alone = aws.alone(**retry)
        refused = aws.under(["--ok", "not-found"], **retry)
        assert len(server.seen("POST", "/")) == 4
    assert alone.status == aws.service_error
    assert error_line("Throttling", "Rate exceeded", r" \(reached max retries: 1\)").search(
        alone.stderr), alone.stderr
    assert (refused.status, refused.report["name"]) == (aws.service_error, "throttled")
    assert_relayed(alone, refused)

    answer = first_client_only(IAM_THROTTLING, iam_deleted)
    with serving(iam_api(lambda request, action: answer(request))) as server:
        aws.url = server.url
        retried = aws.under(["--retry-on", "throttled", "--retries", "1", "--backoff", "0"],
                            **retry)
    assert (retried.status, retried.report["attempts"]) == (0, 2)
    same_stderr(alone.stderr, retried.tools_stderr)
    assert len(retried.ours) == 1
    assert retried.ours[0].startswith(f"exitkit: aws exited {aws.service_error} (throttled); "
                                      "retrying")


def test_aws_json_error_format(aws: AwsRun) -> None:
    # AWS_CLI_ERROR_FORMAT=json (aws-cli PR #10094, v2.34.0) makes the error a JSON object with
    # its "Code"; earlier versions (2.9, and v1) ignore the variable and print the usual line.
    # Either way not-found holds.
    with serving(iam_api(lambda request, action: iam_no_such_role("x"))) as server:
        aws.url = server.url
        alone = aws.alone(AWS_CLI_ERROR_FORMAT="json")
        under = aws.under(["--ok", "not-found"], AWS_CLI_ERROR_FORMAT="json")
    assert alone.status == aws.service_error
    assert '"NoSuchEntity"' in alone.stderr or "(NoSuchEntity)" in alone.stderr
    assert (under.status, under.report["name"]) == (0, "not-found")
    assert_relayed(alone, under)


def test_aws_cli_error_format_flag(aws: AwsRun) -> None:
    # `--cli-error-format json` (v2.34.0): a version without it refuses the option (v2: 252,
    # usage; v1: 255), and --ok not-found must not hide that
    with serving(iam_api(lambda request, action: iam_no_such_role("x"))) as server:
        aws.url = server.url
        alone = aws.alone("--cli-error-format", "json")
        under = aws.under(["--ok", "not-found"], "--cli-error-format", "json")
        asked = len(server.seen())
    if "Unknown options: --cli-error-format" in alone.stderr:  # a version without the flag
        assert alone.status == (252 if aws_major(tuple(aws.aws)) >= 2 else 255)
        assert asked == 0
        assert (under.status, under.report["outcome"]) == (alone.status, "failure")
    else:
        assert alone.status == aws.service_error
        assert '"Code"' in alone.stderr
        assert (under.status, under.report["name"]) == (0, "not-found")
    assert_relayed(alone, under)


# --- gh ---------------------------------------------------------------------------------------
# gh talks HTTPS to a GitHub Enterprise Server host: GH_HOST names it, GH_ENTERPRISE_TOKEN is its
# token, REST is under /api/v3/ (cli/cli internal/ghinstance). Go on Linux trusts SSL_CERT_FILE.


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> TLSFiles:
    program("gh")  # a missing gh skips (or fails) first
    if "gh" in required_programs() and shutil.which("openssl") is None:
        pytest.fail("openssl is not installed, and the gh tests EXITKIT_REQUIRE_SHELLS requires "
                    "need it for their certificate")
    return self_signed_certificate(program("openssl"), tmp_path_factory.mktemp("tls"))


@dataclass
class GhRun:
    gh: list[str]
    tmp_path: Path
    tls: TLSFiles | None = None
    host: str = ""

    def env(self, *, token: bool = True) -> dict[str, str]:
        # conftest's world has removed GITHUB_TOKEN and the like; gh's own GH_* go too
        env = {key: value for key, value in os.environ.items() if not key.startswith("GH_")}
        env.update(GH_CONFIG_DIR=str(self.tmp_path / "gh-config"), GH_NO_UPDATE_NOTIFIER="1",
                   GH_PROMPT_DISABLED="1")
        if self.tls is not None:
            env["SSL_CERT_FILE"] = str(self.tls.cert)
        if self.host:
            env["GH_HOST"] = self.host
        if token:
            env["GH_ENTERPRISE_TOKEN"] = "ghp_fake"
        return env

    def alone(self, *args: str, token: bool = True) -> Direct:
        return direct([*self.gh, *args], self.env(token=token))

    def under(self, options: list[str], *args: str, token: bool = True) -> Wrapped:
        return wrapped(options, [*self.gh, *args], self.env(token=token), self.tmp_path)

    @contextmanager
    def server(self, repo: GitHubRepo) -> Iterator[FakeServer]:
        with serving(repo, tls=self.tls) as server:
            self.host = server.host
            yield server


@pytest.fixture
def gh(tmp_path: Path, certificate: TLSFiles) -> GhRun:
    return GhRun(program("gh"), tmp_path, certificate)


def test_gh_api_not_found(gh: GhRun) -> None:
    # GET /repos/o/r/releases/tags/v9 → 404 {"message": "Not Found", …}; gh api prints the body
    # on stdout and `gh: Not Found (HTTP 404)` on stderr (pkg/cmd/api/api.go)
    with gh.server(GitHubRepo()) as server:
        alone = gh.alone("api", "repos/o/r/releases/tags/v9")
        under = gh.under(["--ok", "not-found"], "api", "repos/o/r/releases/tags/v9")
        assert {r.headers.get("authorization") for r in server.seen()} == {"token ghp_fake"}
    assert (alone.status, alone.stderr) == (1, "gh: Not Found (HTTP 404)\n")
    assert json.loads(alone.stdout)["message"] == "Not Found"
    assert (under.status, under.report["name"]) == (0, "not-found")
    assert_relayed(alone, under)


def test_gh_api_bad_credentials_is_not_tolerated(gh: GhRun) -> None:
    # 401 {"message": "Bad credentials"}: exit 1, not 4 (4 is for no token at all)
    with gh.server(GitHubRepo(token_valid=False)):
        alone = gh.alone("api", "repos/o/r/releases/tags/v9")
        under = gh.under(["--ok", "not-found"], "api", "repos/o/r/releases/tags/v9")
    assert (alone.status, alone.stderr) == (1, "gh: Bad credentials (HTTP 401)\n")
    assert (under.status, under.report["name"]) == (1, "error")
    assert_relayed(alone, under)


def test_gh_release_delete_not_found(gh: GhRun) -> None:
    # release delete looks the tag up twice at once (pkg/cmd/release/shared/fetch.go): REST
    # releases/tags/v9 → 404, and GraphQL RepositoryReleaseByTag for a draft → release null;
    # neither found it: `release not found`
    with gh.server(GitHubRepo()) as server:
        alone = gh.alone("release", "delete", "v9", "-R", "o/r", "--yes")
        under = gh.under(["--ok", "not-found"], "release", "delete", "v9", "-R", "o/r", "--yes")
        assert server.seen("DELETE") == []
    assert (alone.status, alone.stderr) == (1, "release not found\n")
    assert (under.status, under.report["name"]) == (0, "not-found")
    assert_relayed(alone, under)


def test_gh_release_delete_in_a_missing_repository(gh: GhRun) -> None:
    # GraphQL answers `Could not resolve to a Repository with the name 'o/gone'.` (type
    # NOT_FOUND), which the contract counts as not-found in the form gh prints it today
    # (`GraphQL: … (repository)`). gh 2.23 prints it through shurcooL/graphql instead:
    # `Message: Could not resolve to a Repository with the name 'o/gone'., Locations: […]`
    with gh.server(GitHubRepo()):
        alone = gh.alone("release", "delete", "v9", "-R", "o/gone", "--yes")
        under = gh.under(["--ok", "not-found"], "release", "delete", "v9", "-R", "o/gone",
                         "--yes")
    assert alone.status == 1
    assert "Could not resolve to a Repository with the name 'o/gone'." in alone.stderr
    assert_relayed(alone, under)
    assert (under.status, under.report["name"]) == (0, "not-found")


def test_gh_without_a_token_needs_authentication(tmp_path: Path) -> None:
    # no token for github.com: `To get started with GitHub CLI, please run:  gh auth login`,
    # exit 4 (internal/ghcmd/cmd.go exitAuth), before any request
    gh = GhRun(program("gh"), tmp_path)
    alone = gh.alone("release", "delete", "v9", "-R", "o/r", "--yes", token=False)
    under = gh.under(["--ok", "not-found"], "release", "delete", "v9", "-R", "o/r", "--yes",
                     token=False)
    assert alone.status == 4
    assert "gh auth login" in alone.stderr
    assert (under.status, under.report["name"]) == (4, "auth-required")
    same_stderr(alone.stderr, under.tools_stderr)
