"""The built-in contracts, checked against what their sources publish.

The expected tables here are transcribed by hand from the tools' own published exit-code pages
(rune, runmark, proxxx, bcdock, raid), bash(1) and GNU timeout (shell) and sysexits.h, never read
from the TOML files, so a slip in either the data or the transcription shows up as a difference.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

import exitkit.contracts.loader
from exitkit.contracts.loader import lint_file, load_builtin, read_toml
from exitkit.contracts.model import RETRYABLE_KINDS, Contract

CONTRACTS_DIR = Path(exitkit.contracts.loader.__file__).resolve().parent / "builtin"

# --- the seed pages, transcribed -----------------------------------------------------------------
# code -> (name, kind): the page's number and what it says, in the vocabulary of kinds.

RUNE_EXITS = {
    0: ("success", "success"),  # Success.
    1: ("failure", "failure"),  # Generic failure (network, parse, validation).
    2: ("usage", "usage"),  # Usage error — bad flag, missing argument.
    3: ("auth", "auth"),  # Auth failure — Unauthenticated or PermissionDenied.
    4: ("not-found", "not-found"),  # Resource not found.
    5: ("conflict", "conflict"),  # Conflict / already exists.
    6: ("validation", "validation"),  # Validation error.
    7: ("timeout", "timeout"),  # Timeout (rollout, scale, etc.).
    124: ("inner-timeout", "timeout"),  # Inner-process timeout (passed through from exec).
}
# gRPC status names, in the page's order, and the exit the page implies for each.
RUNE_ERRORS = [
    ("Unauthenticated", "auth"),
    ("PermissionDenied", "auth"),
    ("NotFound", "not-found"),
    ("AlreadyExists", "conflict"),
    ("InvalidArgument", "validation"),
    ("FailedPrecondition", "failure"),
    ("DeadlineExceeded", "timeout"),
    ("Internal", "failure"),
    ("Unavailable", "failure"),
]

RUNMARK_EXITS = {
    0: ("success", "success"),  # success
    1: ("execution-failure", "failure"),  # execution failure
    2: ("validation", "validation"),  # validation/configuration failure
    3: ("unsafe-resume", "precondition"),  # unsafe resume
    4: ("internal", "internal"),  # internal error
}
# "Common user-facing codes": code and its "Typical exit code".
RUNMARK_ERRORS = [
    ("EXPECTATION_FAILED", 1),
    ("EXTRACTION_FAILED", 1),
    ("FLAG_VALUE_REQUIRED", 2),
    ("PROJECT_PATH_INVALID", 2),
    ("RUN_NOT_FOUND", 2),
    ("SESSION_NOT_FOUND", 2),
    ("ARTIFACT_NOT_FOUND", 2),
    ("BODY_FILE_PATH_INVALID", 2),
    ("REQUEST_TIMEOUT_INVALID", 2),
    ("RUNTIME_PATH_INVALID", 2),
    ("OUTPUT_PATH_INVALID", 2),
    ("SESSION_SECRET_STATE_INVALID", 2),
    ("SESSION_NOT_RESUMABLE", 3),
    ("SESSION_DRIFT_DETECTED", 3),
]

PROXXX_EXITS = {
    0: ("success", "success"),  # Success
    1: ("failure", "failure"),  # Generic failure
    2: ("usage", "usage"),  # Usage error
    3: ("config", "config"),  # Configuration error
    4: ("auth", "auth"),  # Authentication / authorization
    5: ("not-found", "not-found"),  # Resource not found
    6: ("risk-refused", "precondition"),  # Pre-flight risk refused
    7: ("cluster-transient", "transient"),  # Cluster transient
}
# "How exit codes are mapped from ApiError".
PROXXX_ERRORS = [
    ("Unauthorized", 4),
    ("Forbidden", 4),
    ("NotFound", 5),
    ("RateLimited", 7),
    ("StorageHang", 7),
    ("PayloadTooLarge", 1),
    ("Transport", 1),
    ("Schema", 1),
]

BCDOCK_EXITS = {
    0: ("success", "success"),  # Success
    1: ("failure", "failure"),  # General error (API error, invalid input, unexpected failure)
    2: ("in-progress", "in-progress"),  # Operation still in progress when --wait-timeout elapsed
    3: ("auth", "auth"),  # Authentication failure (expired/missing/invalid token)
    4: ("rate-limited", "rate-limited"),  # Rate limited (HTTP 429)
    5: ("not-found", "not-found"),  # Resource not found (env name doesn't exist, etc.)
    10: ("provisioning-failed", "failure"),  # Provisioning failed (… terminal failed state)
    124: ("wait-timeout", "timeout"),  # Wait/poll timeout (bcdock env wait --timeout elapsed …)
}
BCDOCK_ERRORS: list[tuple[str, int]] = []  # the page lists no string error codes
# "The CLI translates 401/403 → 3, 404 → 5, 429 → 4, 5xx → 1."
BCDOCK_HTTP = {"401": 3, "403": 3, "404": 5, "429": 4, "5xx": 1}

RAID_EXITS = {
    0: ("success", "success"),
    1: ("generic", "failure"),
    2: ("config", "config"),
    3: ("task", "failure"),
    4: ("network", "network"),
    5: ("not-found", "not-found"),
}
# "Code table": code and category; the category is the exit's name.
RAID_ERRORS = [
    ("UNKNOWN", "generic"),
    ("INTERNAL", "generic"),
    ("GIT_NOT_INSTALLED", "generic"),
    ("LOCK_FAILED", "generic"),
    ("PROFILE_INVALID", "config"),
    ("PROFILE_FILE_READ", "config"),
    ("PROFILE_ALREADY_EXISTS", "config"),
    ("REPO_INVALID", "config"),
    ("CONFIG_INVALID", "config"),
    ("CONFIG_LOAD_FAILED", "config"),
    ("SCHEMA_VALIDATION_FAILED", "config"),
    ("ARG_INVALID", "config"),
    ("TASK_FAILED", "task"),
    ("TASK_SHELL_FAILED", "task"),
    ("TASK_SCRIPT_FAILED", "task"),
    ("TASK_WAIT_TIMEOUT", "task"),
    ("TASK_TEMPLATE_FAILED", "task"),
    ("TASK_GIT_FAILED", "task"),
    ("CLONE_FAILED", "network"),
    ("TASK_HTTP_FAILED", "network"),
    ("PROFILE_NOT_FOUND", "not-found"),
    ("PROFILE_NOT_ACTIVE", "not-found"),
    ("PROFILE_FILE_MISSING", "not-found"),
    ("REPO_NOT_FOUND", "not-found"),
    ("REPO_NOT_CLONED", "not-found"),
    ("ENV_NOT_FOUND", "not-found"),
    ("COMMAND_NOT_FOUND", "not-found"),
]

#: name -> (exits, errors as (code, exit name or number) in page order, retryable exit codes)
SEEDS: dict[str, tuple[dict[int, tuple[str, str]], list[tuple[str, str | int]], set[int]]] = {
    "rune": (RUNE_EXITS, list(RUNE_ERRORS), set()),
    "runmark": (RUNMARK_EXITS, list(RUNMARK_ERRORS), set()),
    "proxxx": (PROXXX_EXITS, list(PROXXX_ERRORS), {7}),
    "bcdock": (BCDOCK_EXITS, list(BCDOCK_ERRORS), {4}),
    "raid": (RAID_EXITS, list(RAID_ERRORS), {4}),
}

# --- the reference facts, transcribed ------------------------------------------------------------

SHELL_EXITS = {
    0: ("success", "success"),
    1: ("failure", "failure"),
    2: ("usage", "usage"),
    124: ("timeout", "timeout"),
    125: ("wrapper-failed", "failure"),
    126: ("not-executable", "not-executable"),
    127: ("command-not-found", "command-not-found"),
    255: ("out-of-range", "internal"),
}
#: Signals numbered the same on Linux and macOS (BUS, USR1, USR2, … differ, so they are left out).
PORTABLE_SIGNALS = {
    1: "HUP",
    2: "INT",
    3: "QUIT",
    4: "ILL",
    5: "TRAP",
    6: "ABRT",
    8: "FPE",
    9: "KILL",
    11: "SEGV",
    13: "PIPE",
    14: "ALRM",
    15: "TERM",
}

SYSEXITS = {
    0: ("ok", "success"),
    64: ("usage", "usage"),  # command line usage error
    65: ("dataerr", "validation"),  # data format error
    66: ("noinput", "not-found"),  # cannot open input
    67: ("nouser", "not-found"),  # addressee unknown
    68: ("nohost", "not-found"),  # host name unknown
    69: ("unavailable", "transient"),  # service unavailable
    70: ("software", "internal"),  # internal software error
    71: ("oserr", "internal"),  # system error (e.g. can't fork)
    72: ("osfile", "failure"),  # critical OS file missing
    73: ("cantcreat", "failure"),  # can't create (user) output file
    74: ("ioerr", "failure"),  # input/output error
    75: ("tempfail", "transient"),  # temporary failure, user is invited to retry
    76: ("protocol", "network"),  # remote error in protocol
    77: ("noperm", "auth"),  # permission denied
    78: ("config", "config"),  # configuration error
}

OWNED = ("rune", "runmark", "proxxx", "bcdock", "raid", "shell", "sysexits")


def exits_of(contract: Contract) -> dict[int, tuple[str, str]]:
    return {e.code: (e.name, e.kind) for e in contract.exits}


def texts(contract: Contract) -> list[tuple[str, str]]:
    """Every user-facing string of *contract*, labelled with where it is."""
    found = [("summary", contract.summary)]
    for e in contract.exits:
        for field in ("meaning", "when", "recovery"):
            value = getattr(e, field)
            if value is not None:
                found.append((f"exit {e.code} {field}", value))
    for err in contract.errors:
        for field in ("meaning", "hint"):
            value = getattr(err, field)
            if value is not None:
                found.append((f"error {err.code} {field}", value))
    return found


# --- seed contracts ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_exit_codes_match_the_page(name: str) -> None:
    contract = load_builtin(name)
    assert contract.name == name
    assert exits_of(contract) == SEEDS[name][0]


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_error_codes_match_the_page(name: str) -> None:
    contract = load_builtin(name)
    expected = SEEDS[name][1]
    assert [err.code for err in contract.errors] == [code for code, _ in expected]
    for err, (code, exit) in zip(contract.errors, expected, strict=True):
        target = contract.exit_of(err)
        if isinstance(exit, int):
            assert target.code == exit, code
        else:
            assert target.name == exit, code
        assert contract.lookup_error(code) is err


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_retryable_defaults(name: str) -> None:
    contract = load_builtin(name)
    assert {e.code for e in contract.exits if e.retryable} == SEEDS[name][2]


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_prefix_is_the_default(name: str) -> None:
    contract = load_builtin(name)
    assert contract.prefix == name.upper() + "_EXIT"


def test_seed_error_code_counts() -> None:
    assert {name: len(load_builtin(name).errors) for name in SEEDS} == {
        "rune": 9,
        "runmark": 14,
        "proxxx": 8,
        "bcdock": 0,
        "raid": 27,
    }


def test_proxxx_constants_and_recovery() -> None:
    contract = load_builtin("proxxx")
    not_found = contract.lookup("not-found")
    assert not_found is not None
    assert contract.constant(not_found) == "PROXXX_EXIT_NOT_FOUND"
    refused = contract.lookup(6)
    assert refused is not None
    assert refused.recovery is not None and "--allow-risk" in refused.recovery


def test_bcdock_http_translation_is_stated() -> None:
    contract = load_builtin("bcdock")
    for status, code in BCDOCK_HTTP.items():
        exit = contract.lookup(code)
        assert exit is not None
        assert status in (exit.when or ""), (status, code)


def test_raid_hint_and_passthrough() -> None:
    contract = load_builtin("raid")
    err = contract.lookup_error("REPO_NOT_CLONED")
    assert err is not None
    assert err.hint is not None and "`raid install`" in err.hint
    assert contract.exit_of(err).code == 5
    # Subprocess exits pass through unchanged; the contract has to say so somewhere.
    assert any("subprocess" in text for _, text in texts(contract))


# --- shell ---------------------------------------------------------------------------------------


def test_shell_contract() -> None:
    contract = load_builtin("shell")
    assert contract.prefix == "EXIT"
    expected = dict(SHELL_EXITS)
    expected.update({128 + n: (f"sig{s.lower()}", "signal") for n, s in PORTABLE_SIGNALS.items()})
    assert exits_of(contract) == expected
    assert not any(e.retryable for e in contract.exits)
    timeout = contract.lookup(124)
    assert timeout is not None and contract.constant(timeout) == "EXIT_TIMEOUT"


@pytest.mark.parametrize("number", sorted(PORTABLE_SIGNALS))
def test_shell_signals_agree_with_the_signal_module(number: int) -> None:
    contract = load_builtin("shell")
    exit = contract.lookup(128 + number)
    assert exit is not None
    sig = signal.Signals(exit.code - 128)
    assert sig.name == "SIG" + PORTABLE_SIGNALS[number]
    assert exit.name == sig.name.lower()
    assert exit.meaning == f"Killed by signal {int(sig)} ({sig.name})"


def test_shell_sigint_and_sigkill() -> None:
    contract = load_builtin("shell")
    sigint, sigkill = contract.lookup("sigint"), contract.lookup("sigkill")
    assert sigint is not None and sigint.code == 130
    assert sigint.code - 128 == signal.SIGINT
    assert sigkill is not None and sigkill.code - 128 == signal.SIGKILL


# --- sysexits ------------------------------------------------------------------------------------


def test_sysexits_contract() -> None:
    contract = load_builtin("sysexits")
    assert contract.prefix == "EX"
    assert exits_of(contract) == SYSEXITS
    assert {e.code for e in contract.exits if e.retryable} == {69, 75}
    assert [contract.constant(e) for e in contract.exits][:3] == ["EX_OK", "EX_USAGE", "EX_DATAERR"]


def test_sysexits_agree_with_os() -> None:
    contract = load_builtin("sysexits")
    for exit in contract.exits:
        constant = contract.constant(exit)
        if hasattr(os, constant):
            assert getattr(os, constant) == exit.code, constant
    # ...and every os.EX_* of sysexits.h's range is in the contract (EX_NOTFOUND is not sysexits.h).
    for constant in dir(os):
        if constant.startswith("EX_") and constant != "EX_NOTFOUND":
            found = contract.lookup(getattr(os, constant))
            assert found is not None, constant
            assert contract.constant(found) == constant


# --- every contract this file covers -------------------------------------------------------------


@pytest.mark.parametrize("name", OWNED)
def test_texts_are_tidy(name: str) -> None:
    contract = load_builtin(name)
    assert contract.version == "1.0.0"
    assert contract.source is None
    for where, text in texts(contract):
        assert text.strip(), f"{name}: {where} is empty"
        assert text == text.strip(), f"{name}: {where} has surrounding space"
        assert "\n" not in text, f"{name}: {where} spans lines"
        assert not (text.endswith(".") and not text.endswith("etc.")), f"{name}: {where}"
        assert not set(text) & set("\u2018\u2019\u201c\u201d"), f"{name}: {where} has curly quotes"
        assert text[0] == text[0].upper() or text[0] == "`" or where.endswith("when"), (
            f"{name}: {where} starts in lower case"
        )


#: Every contract file that ships with exitkit, whichever test file checks its content.
SHIPPED = tuple(sorted(p.stem for p in CONTRACTS_DIR.glob("*.toml")))


@pytest.mark.parametrize("name", SHIPPED)
def test_file_lints_clean_and_is_sorted(name: str) -> None:
    path = CONTRACTS_DIR / f"{name}.toml"
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert all(line == line.rstrip() for line in text.splitlines())
    contract, problems = lint_file(str(path))
    assert contract is not None
    assert [str(p) for p in problems] == []  # no warnings either
    data, _ = read_toml(str(path))
    codes = [row["code"] for row in data["exit"]]
    assert codes == sorted(codes)
    # Only overrides are written down: a retryable equal to the kind's default is noise.
    for row in data["exit"]:
        if "retryable" in row:
            assert row["retryable"] != (row["kind"] in RETRYABLE_KINDS), row
    assert contract.to_dict() == load_builtin(name).to_dict()
