"""The README and docs/ are checked like code: every link resolves, every snippet runs.

Fenced blocks are run by their language: ``sh`` in dash, ``bash``, ``zsh`` and ``fish`` in their
shells (strict: ``-euo pipefail`` / ``-eu``), ``console`` blocks command by command with the
output compared exactly, ``python`` with this interpreter (and mypy --strict), ``toml`` contracts
through ``exitkit lint``, ``yaml`` and ``json`` parsed. Every run happens in a fresh directory
with fake tools on PATH (proxxx, rune, bcdock, raid, …) that exit ``$<NAME>_STATUS`` (default 0).

A comment right before a block can change that:

- ``<!-- doc-test: skip (reason) -->`` — not run; the reason is required;
- ``<!-- doc-test: env NAME=VALUE … [status=N] -->`` — one run with these variables, expecting
  status N (default 0); several such comments run the block several times.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, Tools, run_exitkit
from shells_util import program

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, as the tomli package
    import tomli as tomllib

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FAKE_TOOLS = ("proxxx", "rune", "runmark", "bcdock", "raid", "mytool", "terraform")
RUNNABLE = {"sh", "bash", "zsh", "fish", "console", "python", "toml", "yaml", "json"}
FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```$", re.M | re.S)
ANNOTATION = re.compile(r"<!-- doc-test: (.*?) -->\s*$")


class Block:
    def __init__(self, page: Path, line: int, language: str, text: str,
                 notes: list[str]) -> None:
        self.page = page
        self.line = line
        self.language = language
        self.text = text
        self.notes = notes

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}:{self.language}"


def blocks() -> list[Block]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            before = text[:match.start()].rstrip("\n").splitlines()
            notes = []
            while before and ANNOTATION.search(before[-1]):
                notes.insert(0, ANNOTATION.search(before[-1]).group(1))  # type: ignore[union-attr]
                before.pop()
            line = text.count("\n", 0, match.start()) + 1
            found.append(Block(page, line, match.group(1), match.group(2), notes))
    return found


ALL = blocks()
TO_RUN = [b for b in ALL if b.language in RUNNABLE and not any(
    n.startswith("skip") for n in b.notes)]


def runs(block: Block) -> list[tuple[dict[str, str], int]]:
    """(extra environment, expected status) for each run of *block*."""
    result = []
    for note in block.notes:
        if note.startswith("env "):
            env, status = {}, 0
            for word in note.split()[1:]:
                key, _, value = word.partition("=")
                if key == "status":
                    status = int(value)
                else:
                    env[key] = value
            result.append((env, status))
    return result or [({}, 0)]


@pytest.fixture
def doc_world(tools: Tools, world: Path) -> dict[str, str]:
    for name in FAKE_TOOLS:
        var = name.upper() + "_STATUS"
        tools(name, f'exit "${{{var}:-0}}"')
    # kubectl, helm, docker, aws, gcloud, gh, psql: saying what they say in $FAKE_SCENARIO
    for fake in sorted((ROOT / "tests" / "fakes" / "outcomes").iterdir()):
        tools(fake.name, fake.read_text(), shebang="")
    return dict(os.environ, TEST_VMID="100", ENV="ci")


def shell_argv(language: str) -> list[str]:
    return {
        "sh": [*program("dash"), "-eu"],
        "bash": [*program("bash"), "--noprofile", "--norc", "-euo", "pipefail"],
        "zsh": [*program("zsh"), "-f", "-euo", "pipefail"],
        "fish": [*program("fish"), "--no-config"],
    }[language]


@pytest.mark.parametrize("block", TO_RUN, ids=[b.id for b in TO_RUN])
def test_snippet_runs(block: Block, doc_world: dict[str, str], world: Path,
                      tmp_path: Path) -> None:
    for extra, status in runs(block):
        env = doc_world | extra
        if block.language in ("sh", "bash", "zsh", "fish"):
            result = subprocess.run([*shell_argv(block.language), "-c", block.text],
                                    capture_output=True, text=True, env=env, timeout=60)
            assert result.returncode == status, (extra, result.stdout, result.stderr)
        elif block.language == "console":
            check_console(block.text, env)
        elif block.language == "python":
            path = tmp_path / "snippet.py"
            path.write_text(block.text)
            result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                                    env=env, timeout=60)
            assert result.returncode == status, result.stderr
            mypy = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                                   "--cache-dir", str(tmp_path / "mypy"), str(path)],
                                  capture_output=True, text=True, timeout=300)
            assert mypy.returncode == 0, mypy.stdout
        elif block.language == "toml":
            data = tomllib.loads(block.text)
            if "exit" in data:
                path = tmp_path / f"{data.get('name', 'snippet')}.toml"
                path.write_text(block.text)
                result = subprocess.run(["exitkit", "lint", str(path)], capture_output=True,
                                        text=True, env=env, timeout=60)
                assert result.returncode == 0, result.stdout
        elif block.language == "yaml":
            assert yaml.safe_load(block.text) is not None
        elif block.language == "json":
            json.loads(block.text)


def test_the_report_example_has_a_report_s_keys_in_its_order(tmp_path: Path) -> None:
    [example] = [json.loads(b.text) for b in ALL if b.language == "json"
                 and b.page.name == "run.md" and '"raw_exit_code"' in b.text]
    report = tmp_path / "report.json"
    run_exitkit("run", "-q", "--report", str(report), "-c", "proxxx", "--ok", "not-found", "--",
                "sh", "-c", "exit 5")
    assert list(example) == list(json.loads(report.read_text()))


def check_console(text: str, env: dict[str, str]) -> None:
    """Each ``$ command`` is run by bash; the lines up to the next one are its exact output
    (stdout and stderr together)."""
    command, expected = None, []  # type: ignore[var-annotated]
    pairs = []
    for line in text.splitlines():
        if line.startswith("$ "):
            if command is not None:
                pairs.append((command, expected))
            command, expected = line[2:], []
        else:
            expected.append(line)
    if command is not None:
        pairs.append((command, expected))
    assert pairs, "a console block without a $ command"
    for command, lines in pairs:
        result = subprocess.run(["bash", "--noprofile", "--norc", "-c", command + " 2>&1"],
                                capture_output=True, text=True, env=env, timeout=60)
        assert result.stdout.splitlines() == lines, command


def test_every_skipped_block_says_why() -> None:
    for block in ALL:
        for note in block.notes:
            if note.startswith("skip"):
                assert re.fullmatch(r"skip \(.{10,}\)", note), block.id


def test_every_block_is_checked_or_plain_text() -> None:
    for block in ALL:
        assert block.language in RUNNABLE | {"text"}, f"{block.id}: give the block a language"


LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = page.read_text(encoding="utf-8")
    text = FENCE.sub("", text)
    return {slug(m.group(1)) for m in re.finditer(r"^#+ (.*)$", text, re.M)}


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_link_resolves(page: Path) -> None:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue  # an external address
        path, _, anchor = target.partition("#")
        destination = (page.parent / path).resolve() if path else page
        missing_anchor = anchor and (destination.suffix != ".md"
                                     or anchor not in anchors(destination))
        if not destination.exists() or missing_anchor:
            broken.append(target)
    assert broken == []


def test_every_docs_page_is_linked_from_the_index() -> None:
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    for page in PAGES:
        if page.parent.name == "docs" and page.name != "index.md":
            assert f"]({page.name})" in index, page.name


def test_the_link_check_finds_a_broken_link(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Some Title\n")
    page.write_text("[a](other.md#some-title) [b](other.md#nope) [c](missing.md) "
                    "[d](https://example.org)\n")
    text = page.read_text()
    targets = LINK.findall(text)
    assert targets == ["other.md#some-title", "other.md#nope", "missing.md",
                       "https://example.org"]
    assert anchors(tmp_path / "other.md") == {"some-title"}


def test_the_readme_lists_every_command() -> None:
    """The README's command table has a row for every command `exitkit --help` lists."""
    from exitkit.cli.spec import COMMANDS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c.name for c in COMMANDS if f"| `exitkit {c.name}" not in readme]
    assert missing == []
