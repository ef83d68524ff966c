"""Small local HTTP(S) servers that answer as the Kubernetes API server, AWS IAM and GitHub's REST
API answer: the same status codes, headers and error bodies, so that the REAL kubectl, aws and gh
can be run against them (tests/test_real_tools.py).

Each server listens on 127.0.0.1 on a free port, in a background thread, for as long as its
``with`` block lasts. It records every request it was sent, and asks a function what to answer.
Where each body comes from is said beside the function that makes it.
"""

from __future__ import annotations

import http.server
import json
import socket
import socketserver
import ssl
import subprocess
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

# --- the server -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One request as the server read it."""

    method: str
    path: str  #: without the query
    query: dict[str, list[str]]
    headers: dict[str, str]  #: names lower-cased
    body: bytes
    #: Which connection it came on: 1 for the first the server accepted, 2 for the next, …
    connection: int
    #: How many connections the server had accepted when it came
    accepted: int

    def form(self) -> dict[str, str]:
        """The body read as an HTML form (what the AWS query protocol sends)."""
        return {key: values[0] for key, values in urllib.parse.parse_qs(self.body.decode()).items()}


@dataclass(frozen=True)
class Reply:
    """What to answer: a status, a body, and its headers."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


#: What a server answers to a request.
Handler = Callable[[Request], Reply]


@dataclass(frozen=True)
class TLSFiles:
    """A certificate and its key, both PEM."""

    cert: Path
    key: Path


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: FakeServer) -> None:
        self.owner = owner
        self.accepted = 0
        self._numbers: dict[socket.socket, int] = {}
        self._local = threading.local()
        super().__init__(("127.0.0.1", 0), _RequestHandler)

    def get_request(self) -> tuple[socket.socket, tuple[str, int]]:
        sock, address = super().get_request()
        self.accepted += 1
        self._numbers[sock] = self.accepted
        return sock, address

    def finish_request(self, request: socket.socket | tuple[bytes, socket.socket],
                       client_address: object) -> None:
        assert isinstance(request, socket.socket)
        self._local.number = self._numbers.pop(request, 0)
        if self.owner.tls is None:
            super().finish_request(request, client_address)
            return
        # the handshake happens here, in the connection's own thread, not in accept(); the TLS
        # socket takes the connection over, so it is the one to close
        try:
            secure = self.owner._context().wrap_socket(request, server_side=True)
        except (ssl.SSLEOFError, ConnectionError):
            request.close()  # the client went away before a word was said: no news
            return
        except (ssl.SSLError, OSError) as error:  # e.g. the client did not trust the certificate
            self.owner._note(f"TLS handshake failed: {error}")
            request.close()
            return
        with secure:
            super().finish_request(secure, client_address)

    def handle_error(self, request: object, client_address: object) -> None:
        import traceback

        self.owner._note(traceback.format_exc())


class _RequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real servers
    server: _Server

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        request = Request(
            method=self.command,
            path=url.path,
            query=urllib.parse.parse_qs(url.query),
            headers={key.lower(): value for key, value in self.headers.items()},
            body=body,
            connection=self.server._local.number,
            accepted=self.server.accepted,
        )
        owner = self.server.owner
        with owner._lock:
            owner.requests.append(request)
        reply = owner.handler(request)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

    def log_message(self, format: str, *args: object) -> None:
        pass  # the requests are recorded; nothing goes to the test's stderr


class FakeServer:
    """``with FakeServer(handler) as server:`` serves on ``server.url`` until the block ends.

    With *tls* it speaks HTTPS with that certificate. ``requests`` lists what it was sent, in
    order; ``problems`` what went wrong on its side (a failed handshake, a handler's exception).
    """

    def __init__(self, handler: Handler, *, tls: TLSFiles | None = None) -> None:
        self.handler = handler
        self.tls = tls
        self.requests: list[Request] = []
        self.problems: list[str] = []
        self._lock = threading.Lock()
        self._ssl: ssl.SSLContext | None = None
        self._server = _Server(self)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}"

    def seen(self, method: str | None = None, path: str | None = None) -> list[Request]:
        """The requests so far, only those with *method* and *path* when given."""
        with self._lock:
            return [r for r in self.requests
                    if (method is None or r.method == method) and (path is None or r.path == path)]

    def _context(self) -> ssl.SSLContext:
        assert self.tls is not None
        with self._lock:
            if self._ssl is None:
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(self.tls.cert, self.tls.key)
                self._ssl = context
            return self._ssl

    def _note(self, problem: str) -> None:
        with self._lock:
            self.problems.append(problem)

    def __enter__(self) -> FakeServer:
        if self.tls is not None:
            self._context()  # a bad certificate fails here, not in a request's thread
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then closed at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def self_signed_certificate(openssl: list[str], directory: Path) -> TLSFiles:
    """A certificate for the IP address 127.0.0.1, valid for a day, made with ``openssl req``
    (OpenSSL 1.1.1 or later, for ``-addext``). Go checks only the subjectAltName, never the CN."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [*openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )
    return TLSFiles(cert, key)


def _json(status: int, value: object, *, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    return Reply(status, json.dumps(value).encode(), "application/json", headers)


# --- Kubernetes -------------------------------------------------------------------------------
# Bodies as kube-apiserver writes them: a failed request is a metav1.Status
# (k8s.io/apimachinery pkg/api/errors/errors.go, NewNotFound / NewForbidden / NewUnauthorized;
# the authentication filter answers 401 with reason Unauthorized and message "Unauthorized"),
# except the 429 of API priority and fairness and of max-in-flight, which is http.Error's plain
# text with a Retry-After header (apiserver pkg/server/filters/maxinflight.go tooManyRequests).


def kube_status(code: int, reason: str, message: str, *, name: str | None = None,
                kind: str | None = None) -> Reply:
    """A ``kind: Status`` failure, as the API server sends it."""
    status: dict[str, object] = {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                 "status": "Failure", "message": message, "reason": reason}
    if name is not None or kind is not None:
        status["details"] = {"name": name, "kind": kind}
    status["code"] = code
    return _json(code, status)


def kube_pod_not_found(name: str) -> Reply:
    """404 NotFound for a pod (errors.NewNotFound(pods, name))."""
    return kube_status(404, "NotFound", f'pods "{name}" not found', name=name, kind="pods")


#: The service account the Forbidden answers name, as RBAC words a denied delete.
DEPLOYER = "system:serviceaccount:ci:deployer"


def kube_pod_forbidden(name: str, namespace: str = "default") -> Reply:
    """403 Forbidden for deleting a pod (errors.NewForbidden with RBAC's reason)."""
    return kube_status(
        403, "Forbidden",
        f'pods "{name}" is forbidden: User "{DEPLOYER}" cannot delete resource "pods" in API '
        f'group "" in the namespace "{namespace}"', name=name, kind="pods")


#: What the authentication filter answers when no credential is accepted.
KUBE_UNAUTHORIZED = kube_status(401, "Unauthorized", "Unauthorized")


def kube_too_many_requests(retry_after: int) -> Reply:
    """429 from API priority and fairness: plain text, with Retry-After (the real server says 1
    or more, and client-go then retries the request itself up to 10 times, waiting as long)."""
    return Reply(429, b"Too many requests, please try again later.\n",
                 "text/plain; charset=utf-8",
                 (("Retry-After", str(retry_after)), ("X-Content-Type-Options", "nosniff")))


def kube_pod(name: str, namespace: str = "default") -> Reply:
    """200 with the pod being deleted, as a DELETE answers when it succeeds."""
    return _json(200, {
        "kind": "Pod", "apiVersion": "v1",
        "metadata": {"name": name, "namespace": namespace, "uid": f"uid-{name}",
                     "resourceVersion": "2", "deletionTimestamp": "2026-11-30T04:00:00Z",
                     "deletionGracePeriodSeconds": 30},
        "spec": {"containers": [{"name": "main", "image": "busybox"}]},
        "status": {"phase": "Running"},
    })


_POD_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


def kube_api(on_delete: Callable[[Request, str], Reply], *, everything: Reply | None = None
             ) -> Handler:
    """An API server with the core group's pods and nothing else.

    Discovery (``/api``, ``/api/v1``, ``/apis``) answers as a real one does, enough for kubectl
    to map ``pod`` to ``/api/v1/namespaces/NS/pods``. A DELETE of a pod is answered by
    *on_delete(request, pod_name)*; listing pods (what ``kubectl delete`` waits with) answers
    an empty list, so a delete that succeeded is done at once. *everything*, when given, answers
    every request instead (an API server that refuses the credentials refuses discovery too).
    """

    def handle(request: Request) -> Reply:
        if everything is not None:
            return everything
        path = request.path.rstrip("/")
        if path == "/api":
            return _json(200, {"kind": "APIVersions", "versions": ["v1"],
                               "serverAddressByClientCIDRs": [
                                   {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
        if path == "/apis":
            return _json(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": []})
        if path == "/api/v1":
            return _json(200, {
                "kind": "APIResourceList", "groupVersion": "v1",
                "resources": [
                    {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod",
                     "verbs": _POD_VERBS, "shortNames": ["po"], "categories": ["all"]},
                    {"name": "namespaces", "singularName": "namespace", "namespaced": False,
                     "kind": "Namespace", "verbs": ["create", "delete", "get", "list", "patch",
                                                    "update", "watch"],
                     "shortNames": ["ns"]},
                ]})
        parts = path.split("/")
        # /api/v1/namespaces/NS/pods[/NAME]
        if len(parts) >= 6 and parts[1:4] == ["api", "v1", "namespaces"] and parts[5] == "pods":
            if len(parts) == 7 and request.method == "DELETE":
                return on_delete(request, parts[6])
            if len(parts) == 6 and request.method == "GET":
                return _json(200, {"kind": "PodList", "apiVersion": "v1",
                                   "metadata": {"resourceVersion": "3"}, "items": []})
        return kube_status(404, "NotFound", "the server could not find the requested resource")

    return handle


def kubeconfig(path: Path, server: str) -> Path:
    """A kubeconfig at *path* whose one context talks to *server* with no credentials."""
    path.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "fake", "cluster": {"server": server}}],
        "users": [{"name": "nobody", "user": {}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "nobody"}}],
        "current-context": "fake",
        "preferences": {},
    }))
    return path


# --- AWS IAM ----------------------------------------------------------------------------------
# IAM speaks the AWS query protocol: a POST of an HTML form (Action=DeleteRole&RoleName=…&
# Version=2010-05-08), answered on error with an ErrorResponse document (IAM API reference,
# "Common Errors"; botocore parsers.py QueryParser reads Error/Code and Error/Message).


def iam_error(status: int, code: str, message: str, *, kind: str = "Sender",
              request_id: str = "4f3c2f4e-0b8c-4f7e-9d07-2c5d3e0a1b11") -> Reply:
    """An IAM error as the service sends it."""
    body = (
        '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">\n'
        "  <Error>\n"
        f"    <Type>{kind}</Type>\n"
        f"    <Code>{code}</Code>\n"
        f"    <Message>{message}</Message>\n"
        "  </Error>\n"
        f"  <RequestId>{request_id}</RequestId>\n"
        "</ErrorResponse>\n"
    )
    return Reply(status, body.encode(), "text/xml",
                 (("x-amzn-RequestId", request_id),))


def iam_no_such_role(name: str) -> Reply:
    """404 NoSuchEntity for a role (IAM DeleteRole "Errors")."""
    return iam_error(404, "NoSuchEntity", f"The role with name {name} cannot be found.")


#: The user the AccessDenied answers name.
AWS_USER = "arn:aws:iam::123456789012:user/ci"


def iam_access_denied(name: str) -> Reply:
    """403 AccessDenied for DeleteRole, worded as IAM words an implicit deny."""
    return iam_error(
        403, "AccessDenied",
        f"User: {AWS_USER} is not authorized to perform: iam:DeleteRole on resource: role {name} "
        "because no identity-based policy allows the iam:DeleteRole action")


#: 400 Throttling, as IAM throttles ("Rate exceeded").
IAM_THROTTLING = iam_error(400, "Throttling", "Rate exceeded")


def iam_deleted(request_id: str = "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE") -> Reply:
    """200 DeleteRoleResponse."""
    body = (
        '<DeleteRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">\n'
        f"  <ResponseMetadata>\n    <RequestId>{request_id}</RequestId>\n"
        "  </ResponseMetadata>\n</DeleteRoleResponse>\n"
    )
    return Reply(200, body.encode(), "text/xml", (("x-amzn-RequestId", request_id),))


def iam_api(on_action: Callable[[Request, str], Reply]) -> Handler:
    """IAM at ``/``: a POST is answered by *on_action(request, action)*."""

    def handle(request: Request) -> Reply:
        if request.method == "POST" and request.path == "/":
            return on_action(request, request.form().get("Action", ""))
        return iam_error(400, "InvalidAction", "Could not find operation for this request")

    return handle


# --- GitHub Enterprise Server -----------------------------------------------------------------
# gh talks to a host other than github.com at https://HOST/api/v3/ (REST) and /api/graphql
# (cli/cli internal/ghinstance). An error is JSON with "message" and "documentation_url"
# (GitHub REST API docs, "Client errors").

GITHUB_DOCS = "https://docs.github.com/enterprise-server@3.9/rest"


def github_error(status: int, message: str, doc: str = GITHUB_DOCS) -> Reply:
    """An error as GitHub's REST API sends it."""
    return _json(status, {"message": message, "documentation_url": doc},
                 headers=(("X-GitHub-Media-Type", "github.v3; format=json"),
                          ("X-GitHub-Enterprise-Version", "3.9.0")))


def github_ok(value: object) -> Reply:
    return _json(200, value, headers=(("X-GitHub-Media-Type", "github.v3; format=json"),
                                      ("X-GitHub-Enterprise-Version", "3.9.0")))


@dataclass
class GitHubRepo:
    """A repository with the given releases, behind a token that is accepted or not.

    Everything under ``/api/v3/`` the fake does not know answers 404, as GitHub does.
    """

    owner: str = "o"
    name: str = "r"
    releases: list[dict[str, object]] = field(default_factory=list)
    token_valid: bool = True

    def __call__(self, request: Request) -> Reply:
        if not self.token_valid:
            return github_error(401, "Bad credentials")
        if request.method == "POST" and request.path == "/api/graphql":
            return self._graphql(request)
        base = f"/api/v3/repos/{self.owner}/{self.name}"
        if request.method == "GET" and request.path == f"{base}/releases":
            return github_ok(self.releases)
        prefix = f"{base}/releases/tags/"
        if request.method == "GET" and request.path.startswith(prefix):
            tag = request.path[len(prefix):]
            for release in self.releases:
                if release.get("tag_name") == tag:
                    return github_ok(release)
            return github_error(
                404, "Not Found",
                "https://docs.github.com/enterprise-server@3.9/rest/releases/releases"
                "#get-a-release-by-tag-name")
        return github_error(404, "Not Found")

    def _graphql(self, request: Request) -> Reply:
        """The one query gh sends here: a release by its tag (``release(tagName:)``), null when
        the repository has no such release, as GitHub answers (no ``errors``)."""
        sent = json.loads(request.body)
        variables = sent.get("variables", {})
        if "RepositoryReleaseByTag" not in sent.get("query", ""):
            return github_ok({"errors": [{"message": "the fake knows one query only"}]})
        if (variables.get("owner"), variables.get("name")) != (self.owner, self.name):
            return github_ok({"data": {"repository": None}, "errors": [{
                "type": "NOT_FOUND", "path": ["repository"], "locations": [{"line": 1,
                                                                             "column": 76}],
                "message": f"Could not resolve to a Repository with the name "
                           f"'{variables.get('owner')}/{variables.get('name')}'."}]})
        release = next((r for r in self.releases if r.get("tag_name") == variables.get("tagName")),
                       None)
        found = None if release is None else {"databaseId": release.get("id"),
                                               "isDraft": bool(release.get("draft"))}
        return github_ok({"data": {"repository": {"release": found}}})
