from __future__ import annotations

import os
from pathlib import Path

import pytest

from exitkit.contracts.loader import available, builtin_names, lint_file, load, parse_version
from exitkit.errors import ExitkitError

SVC = """\
name = "{name}"
version = "1.0.0"
summary = "{summary}"
[[exit]]
code = 0
name = "success"
kind = "success"
meaning = "OK"
"""


def write(directory: Path, name: str, summary: str = "from somewhere") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.toml"
    path.write_text(SVC.format(name=name, summary=summary))
    return path


def test_every_builtin_loads_and_lints_clean() -> None:
    names = builtin_names()
    seeds = {"rune", "runmark", "proxxx", "bcdock", "raid"}
    assert seeds | {"shell", "sysexits", "exitkit", "curl", "rsync"} <= set(names)
    root = Path(__file__).resolve().parent.parent / "src" / "exitkit" / "contracts" / "builtin"
    for name in names:
        contract = load(name)
        assert contract.origin == "built-in"
        _, problems = lint_file(str(root / f"{name}.toml"))
        assert [str(p) for p in problems] == []


def test_search_order_explicit_path_then_exitkit_path_then_dot_exitkit_then_config_then_builtin(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Path(os.environ["XDG_CONFIG_HOME"])
    write(config / "exitkit" / "contracts", "proxxx", "from config")
    assert load("proxxx").summary == "from config"
    write(world / ".exitkit", "proxxx", "from dot-exitkit")
    assert load("proxxx").summary == "from dot-exitkit"
    first, second = tmp_path / "p1", tmp_path / "p2"
    write(second, "proxxx", "from p2")
    monkeypatch.setenv("EXITKIT_PATH", f"{first}:{second}")
    assert load("proxxx").summary == "from p2"
    write(first, "proxxx", "from p1")
    assert load("proxxx").summary == "from p1"
    explicit = write(tmp_path / "elsewhere", "proxxx", "explicit")
    assert load(str(explicit)).summary == "explicit"
    assert load(str(explicit)).origin == str(explicit)


def test_builtins_are_found_last(world: Path) -> None:
    assert load("proxxx").origin == "built-in"


def test_unknown_name_lists_places_and_suggests_close_names(world: Path) -> None:
    with pytest.raises(ExitkitError, match="no contract named 'proxx'") as info:
        load("proxx")
    err = info.value
    assert err.exit == "not-found"
    assert "did you mean 'proxxx'" in err.message
    assert ".exitkit/proxx.toml" in (err.hint or "")
    assert "built-ins" in (err.hint or "")


def test_a_name_that_is_not_kebab_case_is_never_searched_for_and_says_so(world: Path) -> None:
    """Found by review: `show MyTool` said "looked in .exitkit/MyTool.toml" about a file that
    exists there, but names are kebab-case and such a file is never found by name."""
    (world / ".exitkit").mkdir()
    (world / ".exitkit" / "MyTool.toml").write_text(SVC.format(name="my-tool", summary="s"))
    with pytest.raises(ExitkitError, match=r"^'MyTool' is not a contract name$") as info:
        load("MyTool")
    assert "./MyTool.toml" in (info.value.hint or "")
    with pytest.raises(ExitkitError, match=r"is not a contract name \(did you mean 'proxxx'"):
        load("Proxxx")


def test_invalid_file_on_the_search_path_is_an_invalid_contract_error(world: Path) -> None:
    (world / ".exitkit").mkdir()
    (world / ".exitkit" / "svc.toml").write_text('name = "svc"\n')
    with pytest.raises(ExitkitError, match=r"svc\.toml: version: is required") as info:
        load("svc")
    assert info.value.exit == "invalid-contract"
    assert "exitkit lint" in (info.value.hint or "")


def test_available_lists_shadowed_entries(world: Path) -> None:
    write(world / ".exitkit", "raid")
    entries = [e for e in available() if e[0] == "raid"]
    assert entries == [("raid", ".exitkit/raid.toml"), ("raid", "built-in")]


def test_a_file_is_found_by_its_exact_name_on_a_case_blind_file_system(
    world: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """macOS (APFS) and Windows: Proxxx.toml opens for proxxx.toml. exitkit finds a contract
    only by its own name, so find() and `exitkit list` agree on every file system."""
    real_isfile, real_exists = os.path.isfile, os.path.exists

    def case_blind(check):  # type: ignore[no-untyped-def]
        def answer(path: str) -> bool:
            folder, name = os.path.split(path)
            try:
                names = os.listdir(folder or ".")
            except OSError:
                return False
            match = next((n for n in names if n.lower() == name.lower()), None)
            return match is not None and check(os.path.join(folder, match))
        return answer

    monkeypatch.setattr(os.path, "isfile", case_blind(real_isfile))
    monkeypatch.setattr(os.path, "exists", case_blind(real_exists))
    (world / ".exitkit").mkdir()
    (world / ".exitkit" / "Proxxx.toml").write_text(SVC.format(name="proxxx", summary="shadow"))
    assert os.path.isfile(".exitkit/proxxx.toml")  # the simulation holds
    assert load("proxxx").origin == "built-in"
    assert [e for e in available() if e[0] == "proxxx"] == [("proxxx", "built-in")]
    write(world / ".exitkit", "svc")
    assert load("svc").summary == "from somewhere"


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("1.2.3", (1, 2, 3)), ("1.2.3-rc.1", (1, 2, 3)), ("1.2.3+b5", (1, 2, 3)), ("1.2", None),
     ("v1.2.3", None), ("01.2.3", None), ("1.2.x", None), ("1.0.0-rc.01", None),
     ("1.0.0-01", None), ("1.0.0-rc.0", (1, 0, 0)), ("1.0.0-0a", (1, 0, 0)),
     ("1.0.0+build.01", (1, 0, 0))],
)
def test_semver(text: str, parsed: tuple[int, int, int] | None) -> None:
    assert parse_version(text) == parsed


def test_a_byte_order_mark_is_read_past(tmp_path: Path) -> None:
    from exitkit.contracts.loader import load_file

    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + b'name = "bom"\nversion = "1.0.0"\nsummary = "s"\n'
                     b'[[exit]]\ncode = 0\nname = "success"\nkind = "success"\nmeaning = "OK"\n')
    assert load_file(str(path)).name == "bom"
