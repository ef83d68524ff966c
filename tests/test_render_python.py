"""`exitkit show NAME --format python` and the Python API: the typed module a CLI author commits,
checked by running it, by mypy --strict, and with hostile contract text."""

from __future__ import annotations

import ast
import itertools
import subprocess
import sys
from pathlib import Path

import pytest

import exitkit
from conftest import ROOT, run_exitkit
from exitkit.contracts.loader import builtin_names, load_builtin, parse_contract
from exitkit.contracts.model import Contract
from exitkit.contracts.render import enum_name, render_python


def module_namespace(text: str) -> dict[str, object]:
    namespace: dict[str, object] = {"__name__": "generated"}
    exec(compile(text, "generated.py", "exec"), namespace)  # the code under test
    return namespace


def member_docstrings(text: str, cls: str) -> dict[str, str]:
    """NAME → the string literal that follows ``NAME = code`` in the class body."""
    tree = ast.parse(text)
    body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls).body
    docs = {}
    for assign, doc in itertools.pairwise(body):
        if isinstance(assign, ast.Assign) and isinstance(doc, ast.Expr):
            target = assign.targets[0]
            assert isinstance(target, ast.Name) and isinstance(doc.value, ast.Constant)
            docs[target.id] = doc.value.value
    return docs


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_renders_a_module_with_a_member_per_code(name: str) -> None:
    contract = load_builtin(name)
    text = render_python(contract)
    enum_cls = module_namespace(text)[enum_name(contract)]
    members = {m.name: int(m) for m in enum_cls}  # type: ignore[attr-defined]
    assert members == {e.ident: e.code for e in contract.exits}
    assert member_docstrings(text, enum_name(contract)) == {
        e.ident: e.meaning for e in contract.exits}


def test_string_error_codes_map_to_their_members() -> None:
    raid = load_builtin("raid")
    namespace = module_namespace(render_python(raid))
    errors = namespace["ERRORS"]
    assert isinstance(errors, dict)
    assert {code: int(member) for code, member in errors.items()} == {
        err.code: raid.exit_of(err).code for err in raid.errors}
    assert "ERRORS" not in module_namespace(render_python(load_builtin("curl")))


@pytest.mark.parametrize(("name", "cls"), [("proxxx", "ProxxxExit"),
                                           ("terraform-plan", "TerraformPlanExit")])
def test_the_enum_is_named_after_the_contract(name: str, cls: str) -> None:
    assert enum_name(load_builtin(name)) == cls


HOSTILE = [
    '""" + __import__("os").system("touch CANARY") + """',
    "'''; import os; os.system('touch CANARY'); '''",
    "line one\nline two\r\n\ttabbed",
    "back\\slash \\n not a newline \\x41",
    "\u2028 line separator, \u0085 next line, \x1b[31m escape",
    "ends with a backslash \\",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_stays_text_exactly(text: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    data = {"name": "evil", "version": "1.0.0", "summary": text,
            "exit": [{"code": 3, "name": "bad", "kind": "failure", "meaning": text}],
            "error": [{"code": text, "exit": "bad", "meaning": text}]}
    contract, problems = parse_contract(data, "evil.toml")
    assert isinstance(contract, Contract), problems
    module = render_python(contract)
    namespace = module_namespace(module)
    assert not (tmp_path / "CANARY").exists()
    assert member_docstrings(module, "EvilExit") == {"BAD": text}
    # the literal as written (Python 3.13 dedents __doc__ itself, expanding tabs)
    classdef = next(n for n in ast.parse(module).body if isinstance(n, ast.ClassDef))
    assert ast.get_docstring(classdef, clean=False) == f"{text} (evil 1.0.0)"
    assert list(namespace["ERRORS"]) == [text]  # type: ignore[call-overload]


def test_the_committed_example_and_a_cli_using_it_pass_mypy_strict_and_run() -> None:
    examples = ROOT / "examples"
    assert (examples / "proxxx_exit.py").read_text() == render_python(load_builtin("proxxx"))
    mypy = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                           "proxxx_exit.py", "python_cli.py"], cwd=examples,
                          capture_output=True, text=True, timeout=300)
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    result = subprocess.run([sys.executable, "python_cli.py", "delete", "100"], cwd=examples,
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (5, "guest 100 not found\n")


def test_show_format_python_prints_the_module() -> None:
    result = run_exitkit("show", "proxxx", "--format", "python")
    assert result.returncode == 0
    assert result.stdout == render_python(load_builtin("proxxx"))


def test_contract_indexing_returns_the_exit_or_a_clear_key_error() -> None:
    proxxx = exitkit.load("proxxx")
    assert proxxx[5].name == "not-found"
    assert proxxx["not-found"].code == 5
    assert proxxx.lookup(99) is None
    with pytest.raises(exitkit.UnknownExit, match=r"^proxxx has no exit 99 \(its codes: 0, 1, ") \
            as unknown:
        proxxx[99]
    assert (unknown.value.args, unknown.value.key, unknown.value.contract) == ((99,), 99, proxxx)
    with pytest.raises(KeyError) as info:
        proxxx["gone"]
    assert str(info.value) == "proxxx has no exit named 'gone' (its codes: 0, 1, 2, 3, 4, 5, 6, 7)"
