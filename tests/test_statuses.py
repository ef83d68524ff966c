"""exitkit's own statuses and signal numbers come from one table each: no bare number elsewhere.

Statuses are the generated constants of ``exitkit._status`` (from the built-in ``exitkit``
contract), signal deaths are ``signals.death_status(N)``, signals are named through the platform's
``signal`` module. This test reads every module's syntax tree and fails on a number in a place
where it could only be a status or a signal.
"""

from __future__ import annotations

import ast

import pytest

from conftest import SRC

#: Numbers that are statuses whenever they appear in exitkit's code (exit and error codes,
#: 128+N signal deaths). Small numbers like 1 or 2 are caught by where they stand, below.
STATUS_NUMBERS = frozenset({70, 124, 125, 126, 127, 128, 129, 130, 131, 137, 141, 143, 255})
#: Calls whose integer argument is a status or a signal number.
EXIT_CALLS = frozenset({"exit", "_exit", "SystemExit", "Exit"})
SIGNAL_CALLS = frozenset({"kill", "killpg", "signal", "pthread_kill", "raise_signal"})
#: Generated tables: the one place these numbers are written down.
GENERATED = {SRC / "_status.py", SRC / "contracts" / "_builtins.py"}
#: The named constants that define the two numbers the rest of the code derives from.
DEFINITIONS = frozenset({"MAX_CODE", "STATUS_BASE"})


def bare_numbers(source: str) -> list[tuple[int, str]]:
    """(line, what) for every bare status or signal number in *source*."""
    found: list[tuple[int, str]] = []
    tree = ast.parse(source)
    defined = {id(node.value) for node in ast.walk(tree)
               if isinstance(node, ast.Assign) and len(node.targets) == 1
               and isinstance(node.targets[0], ast.Name) and node.targets[0].id in DEFINITIONS}
    for node in ast.walk(tree):
        if id(node) in defined:
            continue
        if _is_int(node) and node.value in STATUS_NUMBERS:  # type: ignore[attr-defined]
            found.append((node.lineno, f"status-like number {node.value}"))  # type: ignore[attr-defined]
        if isinstance(node, ast.FunctionDef) and _returns_int(node):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return) and _is_int(inner.value):
                    found.append((inner.lineno, f"{node.name}() returns a bare status"))
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name in EXIT_CALLS and any(_is_int(arg) for arg in node.args):
                found.append((node.lineno, f"{name}() with a bare status"))
            if name in SIGNAL_CALLS and any(_is_int(arg) for arg in node.args[1:2]):
                found.append((node.lineno, f"{name}() with a bare signal number"))
            if name == "signal" and node.args and _is_int(node.args[0]):
                found.append((node.lineno, "signal() with a bare signal number"))
    return sorted(set(found))


def _is_int(node: ast.AST | None) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, int)
            and not isinstance(node.value, bool))


def _returns_int(node: ast.FunctionDef) -> bool:
    returns = node.returns
    return (isinstance(returns, ast.Name) and returns.id == "int") or (
        isinstance(returns, ast.Constant) and returns.value == "int")


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def test_no_bare_status_or_signal_number_in_exitkits_code() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path in GENERATED:
            continue
        for line, what in bare_numbers(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(SRC)}:{line}: {what}")
    assert offenders == []


@pytest.mark.parametrize(("source", "what"), [
    ("def main() -> int:\n    return 0\n", "main() returns a bare status"),
    ("x = 125\n", "status-like number 125"),
    ("import sys\nsys.exit(2)\n", "exit() with a bare status"),
    ("import os\nos.killpg(5, 15)\n", "killpg() with a bare signal number"),
    ("import signal\nsignal.signal(2, None)\n", "signal() with a bare signal number"),
    ("def code() -> int:\n    return 128 + n\n", "status-like number 128"),
])
def test_the_check_finds_each_kind_of_bare_number(source: str, what: str) -> None:
    assert [w for _, w in bare_numbers(source)] == [what]


def test_named_statuses_pass_the_check() -> None:
    source = ("from exitkit._status import SUCCESS\nMAX_CODE = 255\nSTATUS_BASE = 128\n"
              "def main() -> int:\n    return SUCCESS\n"
              "def count() -> int:\n    return len(x)\n")
    assert bare_numbers(source) == []


def test_the_status_table_is_exitkits_own_contract() -> None:
    from exitkit import _status
    from exitkit.contracts.loader import load_builtin

    contract = load_builtin("exitkit")
    assert {e.name: (e.code, e.kind) for e in contract.exits} == _status.BY_NAME
    for exit in contract.exits:
        assert getattr(_status, exit.ident) == exit.code
