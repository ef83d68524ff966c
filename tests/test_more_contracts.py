"""The curl, rsync, grep, diff and terraform-plan built-ins, checked against the reference facts.

The expected tables are transcribed by hand from each contract's ``source`` (curl's and rsync's
manuals, the GNU grep and diff manuals, Terraform's plan documentation), never read from the TOML
files, so a slip in either the data or the transcription shows up as a difference.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import exitkit.contracts.loader
from conftest import Tools, run_exitkit
from exitkit.contracts.loader import load_builtin
from exitkit.contracts.model import Contract, ExitCode
from test_builtin_contracts import texts

CONTRACTS_DIR = Path(exitkit.contracts.loader.__file__).resolve().parent / "builtin"

# --- curl: docs/cmdline-opts/_EXITCODES.md, CURLcode names without CURLE_ ----------------------

CURLCODES = {
    0: "OK",
    1: "UNSUPPORTED_PROTOCOL",
    2: "FAILED_INIT",
    3: "URL_MALFORMAT",
    4: "NOT_BUILT_IN",
    5: "COULDNT_RESOLVE_PROXY",
    6: "COULDNT_RESOLVE_HOST",
    7: "COULDNT_CONNECT",
    8: "WEIRD_SERVER_REPLY",
    9: "REMOTE_ACCESS_DENIED",
    10: "FTP_ACCEPT_FAILED",
    11: "FTP_WEIRD_PASS_REPLY",
    12: "FTP_ACCEPT_TIMEOUT",
    13: "FTP_WEIRD_PASV_REPLY",
    14: "FTP_WEIRD_227_FORMAT",
    15: "FTP_CANT_GET_HOST",
    16: "HTTP2",
    17: "FTP_COULDNT_SET_TYPE",
    18: "PARTIAL_FILE",
    19: "FTP_COULDNT_RETR_FILE",
    21: "QUOTE_ERROR",
    22: "HTTP_RETURNED_ERROR",
    23: "WRITE_ERROR",
    25: "UPLOAD_FAILED",
    26: "READ_ERROR",
    27: "OUT_OF_MEMORY",
    28: "OPERATION_TIMEDOUT",
    30: "FTP_PORT_FAILED",
    31: "FTP_COULDNT_USE_REST",
    33: "RANGE_ERROR",
    34: "HTTP_POST_ERROR",  # "HTTP post error (obsolete since 7.56.0)"
    35: "SSL_CONNECT_ERROR",
    36: "BAD_DOWNLOAD_RESUME",
    37: "FILE_COULDNT_READ_FILE",
    38: "LDAP_CANNOT_BIND",
    39: "LDAP_SEARCH_FAILED",
    41: "FUNCTION_NOT_FOUND",  # "function not found (obsolete since 7.53.0)"
    42: "ABORTED_BY_CALLBACK",
    43: "BAD_FUNCTION_ARGUMENT",
    45: "INTERFACE_FAILED",
    47: "TOO_MANY_REDIRECTS",
    48: "UNKNOWN_OPTION",
    49: "SETOPT_OPTION_SYNTAX",
    52: "GOT_NOTHING",
    53: "SSL_ENGINE_NOTFOUND",
    54: "SSL_ENGINE_SETFAILED",
    55: "SEND_ERROR",
    56: "RECV_ERROR",
    58: "SSL_CERTPROBLEM",
    59: "SSL_CIPHER",
    60: "PEER_FAILED_VERIFICATION",
    61: "BAD_CONTENT_ENCODING",
    63: "FILESIZE_EXCEEDED",
    64: "USE_SSL_FAILED",
    65: "SEND_FAIL_REWIND",
    66: "SSL_ENGINE_INITFAILED",
    67: "LOGIN_DENIED",
    68: "TFTP_NOTFOUND",
    69: "TFTP_PERM",
    70: "REMOTE_DISK_FULL",
    71: "TFTP_ILLEGAL",
    72: "TFTP_UNKNOWNID",
    73: "REMOTE_FILE_EXISTS",
    74: "TFTP_NOSUCHUSER",
    77: "SSL_CACERT_BADFILE",
    78: "REMOTE_FILE_NOT_FOUND",
    79: "SSH",
    80: "SSL_SHUTDOWN_FAILED",
    82: "SSL_CRL_BADFILE",
    83: "SSL_ISSUER_ERROR",
    84: "FTP_PRET_FAILED",
    85: "RTSP_CSEQ_ERROR",
    86: "RTSP_SESSION_ERROR",
    87: "FTP_BAD_FILE_LIST",
    88: "CHUNK_FAILED",
    89: "NO_CONNECTION_AVAILABLE",
    90: "SSL_PINNEDPUBKEYNOTMATCH",
    91: "SSL_INVALIDCERTSTATUS",
    92: "HTTP2_STREAM",
    93: "RECURSIVE_API_CALL",
    94: "AUTH_ERROR",
    95: "HTTP3",
    96: "QUIC_CONNECT_ERROR",
    97: "PROXY",
    98: "SSL_CLIENTCERT",
    99: "UNRECOVERABLE_POLL",
    100: "TOO_LARGE",
}
CURL_EXITS = {code: name.lower().replace("_", "-") for code, name in CURLCODES.items()}

#: Kinds fixed by the design notes; the rest are judgment calls checked only for being kinds.
CURL_KINDS = {
    0: "success",
    2: "internal",
    3: "usage",
    5: "network",
    6: "network",
    7: "network",
    9: "auth",
    16: "network",
    18: "network",
    22: "failure",
    23: "failure",
    26: "failure",
    27: "internal",
    28: "timeout",
    35: "network",
    37: "not-found",
    42: "failure",
    43: "usage",
    48: "usage",
    49: "usage",
    52: "network",
    55: "network",
    56: "network",
    67: "auth",
    68: "not-found",
    73: "conflict",
    78: "not-found",
    89: "network",
    92: "network",
    94: "auth",
    95: "network",
    96: "network",
    97: "network",
}
CURL_TLS_CERTIFICATE = (58, 60, 77, 82, 83, 90, 91, 98)
CURL_OBSOLETED_AND_REUSED = (4, 10, 12, 16)

# --- rsync: rsync.1 EXIT VALUES, errcode.h; 3.5.0 -----------------------------------------------

RSYNC_EXITS = {
    0: "success",
    1: "syntax-or-usage",  # syntax or usage error
    2: "protocol-incompatibility",
    3: "file-selection",  # errors selecting input/output files, dirs
    4: "action-not-supported",
    5: "client-server-protocol",  # error starting client-server protocol
    6: "daemon-log",  # daemon unable to append to log-file (removed in 3.5.0)
    10: "socket-io",
    11: "file-io",
    12: "protocol-stream",  # error in rsync protocol data stream
    13: "program-diagnostics",
    14: "ipc",
    15: "sibling-crashed",
    16: "sibling-terminated",
    19: "received-sigusr1",
    20: "received-sigint",  # received SIGINT, SIGTERM, or SIGHUP
    21: "waitpid-error",
    22: "memory-allocation",
    23: "partial-transfer",  # partial transfer due to error
    24: "vanished-source-files",  # partial transfer due to vanished source files
    25: "max-delete-limit",
    30: "io-timeout",  # timeout in data send/receive
    35: "daemon-timeout",  # timeout waiting for daemon connection
}
RSYNC_KINDS = {
    0: "success",
    1: "usage",
    10: "network",
    12: "network",
    19: "failure",
    20: "failure",
    22: "internal",
    23: "failure",
    24: "failure",
    30: "timeout",
    35: "timeout",
}

# --- Others ---------------------------------------------------------------------------------------

#: name -> code -> (exit name, kind)
SMALL = {
    "grep": {0: ("selected", "success"), 1: ("no-match", "failure"), 2: ("error", "failure")},
    "diff": {0: ("same", "success"), 1: ("different", "failure"), 2: ("trouble", "failure")},
    "terraform-plan": {
        0: ("no-changes", "success"),
        1: ("error", "failure"),
        2: ("changes-present", "success"),
    },
}

OWNED = ("curl", "rsync", "grep", "diff", "terraform-plan")


def exit_of(contract: Contract, code: int) -> ExitCode:
    found = contract.lookup(code)
    assert found is not None, code
    return found


# --- curl -----------------------------------------------------------------------------------------


def test_curl_has_every_code_with_its_curlcode_name() -> None:
    contract = load_builtin("curl")
    assert contract.name == "curl"
    assert {e.code: e.name for e in contract.exits} == CURL_EXITS
    assert len(contract.exits) == 87
    assert exit_of(contract, 6).name == "couldnt-resolve-host"
    assert exit_of(contract, 3).name == "url-malformat"
    assert exit_of(contract, 14).name == "ftp-weird-227-format"


def test_curl_kinds() -> None:
    contract = load_builtin("curl")
    kinds = {e.code: e.kind for e in contract.exits}
    assert {code: kinds[code] for code in CURL_KINDS} == CURL_KINDS
    for code in CURL_TLS_CERTIFICATE:
        assert kinds[code] in {"auth", "validation"}, code


def test_curl_retryable() -> None:
    contract = load_builtin("curl")
    for code in (6, 7, 28, 35, 52, 56, 5, 18, 55):
        assert exit_of(contract, code).retryable, code
    for code in (0, 3, 22, 60, *CURL_TLS_CERTIFICATE):
        assert not exit_of(contract, code).retryable, code
    # Every retryable curl code is a network failure or a timeout.
    assert {e.kind for e in contract.exits if e.retryable} == {"network", "timeout"}


def test_curl_http_error_needs_fail() -> None:
    when = exit_of(load_builtin("curl"), 22).when or ""
    assert "--fail" in when and "400" in when


def test_curl_obsolete_and_reused_codes_say_so() -> None:
    contract = load_builtin("curl")
    for code, version in ((34, "7.56.0"), (41, "7.53.0")):
        when = exit_of(contract, code).when or ""
        assert "Obsolete" in when and version in when, code
    for code in CURL_OBSOLETED_AND_REUSED:
        text = (exit_of(contract, code).when or "") + contract.summary
        assert "reused" in text, code


# --- rsync ----------------------------------------------------------------------------------------


def test_rsync_has_every_code() -> None:
    contract = load_builtin("rsync")
    assert {e.code: e.name for e in contract.exits} == RSYNC_EXITS
    kinds = {e.code: e.kind for e in contract.exits}
    assert {code: kinds[code] for code in RSYNC_KINDS} == RSYNC_KINDS
    assert exit_of(contract, 20).meaning == "Received SIGINT, SIGTERM or SIGHUP"


def test_rsync_partial_transfers_are_told_apart() -> None:
    contract = load_builtin("rsync")
    partial, vanished = exit_of(contract, 23), exit_of(contract, 24)
    assert partial.name != vanished.name
    assert contract.lookup("vanished-source-files") is vanished
    assert "vanished" in vanished.meaning and "vanished" not in partial.meaning
    assert "--ok vanished-source-files" in (vanished.recovery or "")


def test_rsync_retryable_and_removed_code() -> None:
    contract = load_builtin("rsync")
    assert {e.code for e in contract.exits if e.retryable} == {10, 12, 30, 35}
    assert "3.5.0" in (exit_of(contract, 6).when or "")


# --- grep, diff, terraform plan ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SMALL))
def test_small_contracts(name: str) -> None:
    contract = load_builtin(name)
    assert {e.code: (e.name, e.kind) for e in contract.exits} == SMALL[name]
    assert not any(e.retryable for e in contract.exits)


def test_small_contract_texts() -> None:
    grep, diff, plan = (load_builtin(n) for n in ("grep", "diff", "terraform-plan"))
    assert exit_of(grep, 0).meaning == "A line was selected"
    assert exit_of(grep, 1).meaning == "No line was selected"
    assert "--ok no-match" in (exit_of(grep, 1).recovery or "")
    assert exit_of(diff, 1).meaning == "The inputs differ"
    assert "terraform plan -detailed-exitcode" in plan.summary
    assert exit_of(plan, 0).meaning == "Succeeded with an empty diff (no changes)"
    assert exit_of(plan, 2).meaning == "Succeeded with a non-empty diff (changes present)"
    assert "-detailed-exitcode" in (exit_of(plan, 2).when or "")


# --- every contract this file covers -------------------------------------------------------------


@pytest.mark.parametrize("name", OWNED)
def test_texts_are_tidy(name: str) -> None:
    contract = load_builtin(name)
    assert contract.name == name
    # terraform-plan 2.0.0: its [match] block (a major change, see exitkit diff)
    assert contract.version == ("2.0.0" if name == "terraform-plan" else "1.0.0")
    assert contract.source is not None and contract.source.startswith("https://")
    assert contract.prefix == name.upper().replace("-", "_") + "_EXIT"
    for where, text in texts(contract):
        assert text.strip(), f"{name}: {where} is empty"
        assert text == text.strip(), f"{name}: {where} has surrounding space"
        assert "\n" not in text, f"{name}: {where} spans lines"
        assert not text.endswith("."), f"{name}: {where}"
        assert not set(text) & set("\u2018\u2019\u201c\u201d"), f"{name}: {where} has curly quotes"
        assert text[0] == text[0].upper() or text[0] == "`" or where.endswith("when"), (
            f"{name}: {where} starts in lower case"
        )


def test_lint_strict_through_the_cli(world: Path) -> None:
    files = [str(CONTRACTS_DIR / f"{name}.toml") for name in OWNED]
    result = run_exitkit("lint", "--strict", *files)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stdout.replace("0 warning(s)", "")


# --- `exitkit run` picks these contracts by the command's name -----------------------------------


def test_run_picks_curl_contract(tools: Tools) -> None:
    tools.exits("curl", 6)
    result = run_exitkit("run", "--ok", "couldnt-resolve-host", "--", "curl", "http://x")
    assert result.returncode == 0, result.stderr
    assert "curl exited 6 (couldnt-resolve-host); tolerated by --ok" in result.stderr
    # Without --ok the code passes through, and the curl contract still names it.
    result = run_exitkit("run", "--", "curl", "http://x")
    assert result.returncode == 6
    assert "couldnt-resolve-host" in result.stderr


@pytest.mark.parametrize(("status", "expected"), [(24, 0), (23, 23)])
def test_run_tolerates_vanished_rsync_files(tools: Tools, status: int, expected: int) -> None:
    tools.exits("rsync", status)
    result = run_exitkit(
        "run", "--ok", "vanished-source-files", "--", "rsync", "-a", "src/", "dst/"
    )
    assert result.returncode == expected, result.stderr
    if expected == 0:
        assert "rsync exited 24 (vanished-source-files); tolerated by --ok" in result.stderr
    else:
        assert "tolerated" not in result.stderr


def test_run_grep_no_match_and_terraform_plan(tools: Tools) -> None:
    tools.exits("grep", 1)
    result = run_exitkit("run", "--ok", "no-match", "--", "grep", "x", "file")
    assert result.returncode == 0, result.stderr
    assert "grep exited 1 (no-match); tolerated by --ok" in result.stderr
    # terraform's basename is not the contract's name: -c picks it, and 2 passes through.
    tools.exits("terraform", 2)
    result = run_exitkit(
        "run", "-c", "terraform-plan", "--", "terraform", "plan", "-detailed-exitcode"
    )
    assert result.returncode == 2, result.stderr
