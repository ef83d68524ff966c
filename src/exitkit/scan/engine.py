"""One file, end to end: read it, find its shell code, run the rules, place the findings in the
file and drop the suppressed ones. A file that cannot be scanned is a :class:`FileError`, never
an exception."""

from __future__ import annotations

import os
import re
import stat
from typing import TYPE_CHECKING

from exitkit.scan import extract
from exitkit.scan.inputs import MAKEFILE, WORKFLOW
from exitkit.scan.model import FileError, Finding, Snippet, parse_disable, suppressed
from exitkit.scan.shell import Analysis, Raw, Resolver

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

    from exitkit.contracts.model import Contract

#: Files larger than this are not read (no script is this large; a log or a dump may be).
MAX_BYTES = 16 << 20


class Scanner:
    """Scans files with one parser and one contract cache."""

    def __init__(self) -> None:
        from exitkit.scan.shell import parser

        self.parser: Parser = parser()
        self.resolve = Resolver()
        self.lines = 0
        #: The text of each file with a mechanical rewrite, for ``--diff``.
        self.sources: dict[str, str] = {}
        self._text = ""
        self._starts: list[int] = [0]

    def scan(self, path: str, kind: str) -> tuple[list[Finding], FileError | None]:
        data = read(path)
        if isinstance(data, FileError):
            return [], data
        text = data.decode("utf-8", "surrogateescape")
        self.lines += text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        self._text = text
        self._starts = [0, *(m.end() for m in re.finditer("\n", text))]
        try:
            if kind == MAKEFILE:
                snippets, whole = extract.makefile_snippets(text)
                findings = self.snippets(path, snippets)
            elif kind == WORKFLOW:
                findings, whole = self.workflow(path, text)
            else:
                whole = frozenset()
                findings = self.snippets(path, [Snippet(text)])
        except RecursionError:  # bash runs 400 nested ifs; the reading here is recursive
            return [], FileError(path, "nested too deeply to read (hundreds of levels)")
        kept = {f.key(): f for f in findings if not suppressed(f.id, whole)}
        if any(f.fix for f in kept.values()):
            self.sources[path] = text
        return sorted(kept.values(), key=lambda f: (f.line, f.column, f.id)), None

    def snippets(self, path: str, snippets: list[Snippet]) -> list[Finding]:
        findings: list[Finding] = []
        for snippet in snippets:
            findings.extend(self.analyse(path, snippet)[0])
        return findings

    def analyse(self, path: str, snippet: Snippet) -> tuple[list[Finding], Analysis]:
        data = (snippet.parse_text or snippet.text).encode("utf-8", "surrogateescape")
        tree = self.parser.parse(data)
        analysis = Analysis(tree.root_node, self.resolve, errexit=snippet.errexit)
        raws = analysis.run()
        if not raws:
            return [], analysis
        ranges = disabled_ranges(tree.root_node)
        findings = []
        for raw in raws:
            if suppressed(raw.id, snippet.disabled) or any(
                    start <= raw.offset < end and suppressed(raw.id, ids)
                    for start, end, ids in ranges):
                continue
            findings.append(self.place(path, snippet, data, raw))
        return findings, analysis

    def place(self, path: str, snippet: Snippet, data: bytes, raw: Raw) -> Finding:
        ascii = snippet.text.isascii()

        def chars(offset: int) -> int:
            return offset if ascii else len(data[:offset].decode("utf-8", "surrogateescape"))

        line, column = snippet.locate(chars(raw.offset))
        fix: list[tuple[int, int, str]] = []
        for start, end, text in raw.edits:
            span = self.file_span(snippet, chars(start), chars(end))
            if span is None:  # the snippet's text is not the file's there: no rewrite
                fix = []
                break
            fix.append((span[0], span[1], snippet.unmask(text)))
        return Finding(path, line, column, raw.id, snippet.unmask(raw.message),
                       snippet.unmask(raw.suggestion), tool=raw.tool, code=raw.code,
                       name=raw.name, fix=tuple(fix))

    def file_span(self, snippet: Snippet, start: int, end: int) -> tuple[int, int] | None:
        """The characters of the file that the snippet's ``[start, end)`` stands for, checked:
        the same words (a workflow block's indentation and a Makefile's ``$$`` aside), else
        ``None``."""
        if snippet.rows is None:
            return start, end
        text = self._text

        def at(offset: int) -> int:
            line, column = snippet.locate(offset)
            return self._starts[line - 1] + column - 1

        first = at(start)
        if end == start:
            return first, first
        if end < len(snippet.text):  # up to the next character kept (a block's indentation)
            stop = at(end)
        else:
            last = at(end - 1)
            stop = last + (2 if snippet.columns and text.startswith("$$", last) else 1)
        original = text[first:stop]
        if snippet.columns:
            original = original.replace("$$", "$")
        if _words(original) != _words(snippet.unmask(snippet.text[start:end])):
            return None
        return first, stop

    def workflow(self, path: str, text: str) -> tuple[list[Finding], frozenset[str]]:
        steps, whole = extract.workflow_steps(text)
        findings: list[Finding] = []
        by_id: dict[str, tuple[extract.Step, Analysis]] = {}
        for step in steps:
            if step.snippet is None or not step.runs_shell:
                continue
            found, analysis = self.analyse(path, step.snippet)
            findings.extend(found)
            if step.id:
                by_id[step.id] = (step, analysis)
            if step.continue_at is not None:
                finding = self.continue_on_error(path, step, analysis)
                if finding is not None:
                    findings.append(finding)
        for line, column, step_id, output, code in extract.step_comparisons(text):
            if step_id not in by_id:
                continue
            step, analysis = by_id[step_id]
            finding = self.step_output(path, (line, column), step, analysis, output, code)
            if finding is not None:
                findings.append(finding)
        return findings, whole

    def continue_on_error(self, path: str, step: extract.Step,
                          analysis: Analysis) -> Finding | None:
        from exitkit.scan.shell import BUILTINS, _tolerable

        assert step.continue_at is not None
        if suppressed("EK106", step.disabled):
            return None
        chosen = None
        for cmd in analysis.commands:
            if cmd.name is None or cmd.name in BUILTINS or cmd.name in analysis.functions:
                continue
            contract = self.resolve(cmd.argv)
            if contract is None:
                continue
            name = _tolerable(cmd, contract)
            if chosen is None or (name is not None and chosen[2] is None):
                chosen = (cmd, contract, name)
        if chosen is None:
            return None
        cmd, contract, name = chosen
        line, column = step.continue_at
        ok = name or "NAME"
        assert step.snippet is not None
        return Finding(
            path, line, column, "EK106",
            f"continue-on-error: true lets every failure of {contract.name} pass"
            + (f", not only {name}" if name else ""),
            f"uses: OWNER/exitkit@TAG with run: {step.snippet.unmask(cmd.text())} and ok: {ok}, "
            "without "
            "continue-on-error", tool=contract.name, code=_code(contract, name), name=name)

    def step_output(self, path: str, where: tuple[int, int], step: extract.Step,
                    analysis: Analysis, output: str, code: int) -> Finding | None:
        from exitkit.scan.shell import BUILTINS

        if suppressed("EK101", step.disabled):
            return None
        for cmd in reversed(analysis.commands):
            if cmd.name is None or cmd.name in BUILTINS or cmd.name in analysis.functions:
                continue
            contract = self.resolve(cmd.argv)
            if contract is None:
                continue
            exit = contract.lookup(code)
            if exit is None:
                return None
            return Finding(
                path, where[0], where[1], "EK101",
                f"steps.{step.id}.outputs.{output} compared with {code}: {contract.name}'s "
                f"{exit.name} ({exit.meaning})",
                f"run the step with uses: OWNER/exitkit@TAG and compare "
                f"steps.{step.id}.outputs.exit-name == '{exit.name}'",
                tool=contract.name, code=code, name=exit.name)
        return None


def _words(text: str) -> str:
    """*text* with its line continuations and runs of white space as single spaces."""
    return " ".join(text.replace("\\\n", " ").split())


def _code(contract: Contract, name: str | None) -> int | None:
    from exitkit.scan.shell import _code_of

    return _code_of(contract, name)


def read(path: str) -> bytes | FileError:
    """The bytes of *path*, or why they cannot be scanned."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return FileError(path, f"cannot read: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return FileError(path, "not a regular file")
        if info.st_size > MAX_BYTES:
            return FileError(path, f"too large ({info.st_size} bytes)")
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    except OSError as exc:
        return FileError(path, f"cannot read: {exc.strerror or exc}")
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if b"\0" in data[:8192]:
        return FileError(path, "binary file, not a script")
    return data


def disabled_ranges(root: Node) -> list[tuple[int, int, frozenset[str]]]:
    """The byte ranges where ``# exitkit disable=…`` comments switch rules off: the statement
    after the comment (or the one it ends the line of), or the whole snippet for a comment before
    its first command."""
    ranges: list[tuple[int, int, frozenset[str]]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "comment":
            ids = parse_disable(node.text.decode("utf-8", "replace") if node.text else "")
            if ids:
                ranges.append(_target(root, node, ids))
            continue
        if b"exitkit" in (node.text or b""):
            stack.extend(node.children)
    return ranges


def _target(root: Node, comment: Node, ids: frozenset[str]) -> tuple[int, int, frozenset[str]]:
    previous = comment.prev_named_sibling
    while previous is not None and previous.type == "comment":
        previous = previous.prev_named_sibling
    if previous is not None and previous.end_point[0] == comment.start_point[0]:
        return previous.start_byte, previous.end_byte, ids
    parent = comment.parent
    if previous is None and parent is not None and parent.type == "program":
        return root.start_byte, root.end_byte, ids
    following = comment.next_named_sibling
    while following is not None and following.type == "comment":
        following = following.next_named_sibling
    if following is None:
        return comment.start_byte, comment.end_byte, ids
    return following.start_byte, following.end_byte, ids
