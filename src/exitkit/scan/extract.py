"""The shell code inside Makefiles and GitHub workflow files, as :class:`Snippet` objects whose
positions point into the original file.

Makefile recipes: each logical recipe line (backslash continuations joined, as make passes them
to the shell) is one snippet, because make runs each in a shell of its own; ``$$`` becomes ``$``
and a leading ``@``, ``-`` or ``+`` is dropped, with a column map back to the original.

Workflows and ``action.yml``: a small line-based reader rather than a YAML library (exitkit has no
YAML dependency at run time, and a YAML library does not give the columns inside a block
scalar). It finds each step's ``run:`` — a literal or folded block, or a plain one-line value —
with the step's ``id:``, ``shell:`` and ``continue-on-error:``, and masks every ``${{ … }}`` by a
placeholder of the same length so that columns stay right.
"""

from __future__ import annotations

import re

from exitkit.scan.model import Snippet, parse_disable

_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
_RUN = re.compile(r"^(\s*)(-\s+)?run:(?:\s+(.*?))?\s*$")
_ITEM = re.compile(r"^(\s*)-\s+")
_KEY = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][\w-]*):(?:\s+(.*?))?\s*$")
_COMMENT = re.compile(r"(?:^|\s)#(.*)$")
_BLOCK = re.compile(r"^([|>])([+-]?)(\d?)([+-]?)\s*(?:#.*)?$")
_ASSIGNMENT = re.compile(r"^[\w.${}()-]+\s*(?::{1,3}=|\?=|\+=|!=|=)")
_DIRECTIVES = ("ifeq", "ifneq", "ifdef", "ifndef", "else", "endif", "include", "-include",
               "sinclude", "export", "unexport", "override", "vpath", "define", "endef")


def mask_expressions(line: str, masks: dict[str, str] | None = None) -> str:
    """``${{ env.X }}`` → a plain shell word of the same length (``_0__________``), so columns
    stay right; *masks* collects placeholder → expression, to show the expression again in a
    suggestion."""
    def placeholder(match: re.Match[str]) -> str:
        expression = match.group(0)
        if masks is None:
            return "_" * len(expression)
        for word, original in masks.items():
            if original == expression:
                return word
        word = f"_{len(masks):x}".ljust(len(expression), "_")
        masks[word] = expression
        return word

    return _EXPRESSION.sub(placeholder, line)


# -- Makefiles -------------------------------------------------------------------------------


def makefile_snippets(text: str) -> tuple[list[Snippet], frozenset[str]]:
    """The recipe lines of a Makefile, and the rules disabled for the whole file (a
    ``# exitkit disable=…`` comment before the first rule)."""
    lines = text.split("\n")
    snippets: list[Snippet] = []
    whole: set[str] = set()
    pending: set[str] = set()
    in_rule = seen_rule = False
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\r")
        if line.startswith("\t") and in_rule:
            first = i
            while lines[i].rstrip("\r").endswith("\\") and i + 1 < len(lines):
                i += 1
            snippet = _recipe(lines, first, i)
            i += 1
            stripped = snippet.text.strip()
            if stripped.startswith("#"):
                pending |= parse_disable(stripped) or frozenset()
                continue
            if stripped:
                snippet.disabled = frozenset(pending)
                pending = set()
                snippets.append(snippet)
            continue
        i += 1
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            directive = parse_disable(stripped)
            if directive:
                (pending if seen_rule else whole).update(directive)
            continue
        if stripped.split()[0] in _DIRECTIVES or line[0].isspace():
            continue
        in_rule = ":" in line and not _ASSIGNMENT.match(line)
        seen_rule = seen_rule or in_rule
        pending = set() if not in_rule else pending
    return snippets, frozenset(whole)


def _recipe(lines: list[str], first: int, last: int) -> Snippet:
    """One logical recipe line: its shell text and a column map per row."""
    out: list[str] = []
    columns: dict[int, list[int]] = {}
    rows: list[tuple[int, int]] = []
    for row, index in enumerate(range(first, last + 1)):
        line = lines[index].rstrip("\r")
        col = 1 if line.startswith("\t") else 0
        if row == 0:
            while col < len(line) and line[col] in " \t@-+":
                col += 1
        chars: list[str] = []
        cols: list[int] = []
        while col < len(line):
            chars.append(line[col])
            cols.append(col)
            col += 2 if line.startswith("$$", col) else 1
        rows.append((index + 1, cols[0] if cols else col))
        columns[row] = cols
        out.append("".join(chars))
    return Snippet("\n".join(out), rows, columns)


# -- GitHub workflows and composite actions ---------------------------------------------------


class Step:
    """A workflow step with a ``run:``: its shell code and the keys that matter to a scan."""

    __slots__ = ("continue_at", "disabled", "end", "id", "shell", "snippet", "start")

    def __init__(self, start: int, end: int) -> None:
        self.start = start  # 0-based index of the step's first line
        self.end = end  # one past its last line
        self.id: str | None = None
        self.shell: str | None = None
        #: (line, column), 1-based, of a ``continue-on-error: true``
        self.continue_at: tuple[int, int] | None = None
        self.disabled: frozenset[str] = frozenset()
        self.snippet: Snippet | None = None

    def errexit(self, defaults: bool) -> bool:
        """Whether the runner starts the script with ``-e``: its own ``bash`` and ``sh`` do
        (``bash -e {0}``, ``bash --noprofile --norc -eo pipefail {0}``, ``sh -e {0}``); a custom
        shell line only with the flag; unknown (False) under a file's ``defaults:``."""
        if self.shell is None:
            return not defaults
        words = self.shell.split()
        if words in (["bash"], ["sh"]):
            return True
        return any(w.startswith("-") and not w.startswith("--") and "e" in w for w in words[1:])

    @property
    def runs_shell(self) -> bool:
        """Whether the step's script is shell (bash, sh, or the runner's default)."""
        if self.shell is None:
            return True
        first = self.shell.split()[0] if self.shell.split() else ""
        return first.rsplit("/", 1)[-1] in ("bash", "sh", "dash", "zsh", "ksh", "ash")


def workflow_steps(text: str) -> tuple[list[Step], frozenset[str]]:
    """Every step with a ``run:`` in a workflow or action file, and the rules disabled for the
    whole file (a comment before its first key)."""
    lines = [line.rstrip("\r") for line in text.split("\n")]
    whole: set[str] = set()
    for line in lines:
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        whole |= parse_disable(stripped) or frozenset()
    steps: list[Step] = []
    # a `defaults: run: shell:` may name a shell without -e; a step then says nothing for sure
    defaults = any(re.match(r"\s*defaults:", line) for line in lines)
    i = 0
    while i < len(lines):
        match = _RUN.match(lines[i])
        if match is None:
            i += 1
            continue
        key_indent = len(match.group(1)) + len(match.group(2) or "")
        start = _step_start(lines, i, key_indent)
        if start is None:  # a `run:` that is no step's (an action's input under `with:`)
            i += 1
            continue
        snippet, after = _run_value(lines, i, key_indent, match.group(3) or "")
        end = after
        while end < len(lines):
            stripped = lines[end].strip()
            indent = len(lines[end]) - len(lines[end].lstrip())
            if stripped and not stripped.startswith("#") and indent < key_indent:
                break
            end += 1
        while end > after and not lines[end - 1].strip():
            end -= 1
        step = Step(start, end)
        step.snippet = snippet
        _read_keys(step, lines, key_indent, (i, after))
        if snippet is not None:
            snippet.errexit = step.errexit(defaults)
        steps.append(step)
        i = after
    return steps, frozenset(whole)


def _step_start(lines: list[str], run_line: int, key_indent: int) -> int | None:
    """The line of the ``- `` that starts the step holding the ``run:`` at *run_line*."""
    for j in range(run_line, -1, -1):
        line = lines[j]
        item = _ITEM.match(line)
        if item is not None and item.end() == key_indent:
            return j
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if stripped and not stripped.startswith("#") and indent < key_indent:
            return None
    return None


def _run_value(lines: list[str], i: int, key_indent: int, value: str) -> tuple[Snippet | None,
                                                                                 int]:
    """The ``run:`` value at line *i* as a snippet, and the index of the line after it."""
    block = _BLOCK.match(value)
    if block is None:
        line = lines[i]
        col = line.index("run:") + 4
        col += len(line[col:]) - len(line[col:].lstrip())
        body = line[col:]
        comment = re.search(r"\s#", body)
        if body[:1] in ("'", '"'):
            quote = body[0]
            close = body.find(quote, 1)
            inner = body[1:close] if close > 0 else ""
            if close < 0 or body[close + 1:].strip()[:1] not in ("", "#") or "\\" in inner \
                    or (quote == "'" and body.startswith("''", close)):
                return None, i + 1
            body, col = inner, col + 1
        elif comment is not None:
            body = body[:comment.start()]
        if not body.strip():
            return None, i + 1
        masks: dict[str, str] = {}
        snippet = Snippet(mask_expressions(body, masks), [(i + 1, col)])
        snippet.masks = masks
        return snippet, i + 1
    explicit = int(block.group(3)) if block.group(3) else 0
    j = i + 1
    block_indent = key_indent + explicit if explicit else None
    while j < len(lines):
        line = lines[j]
        if line.strip():
            indent = len(line) - len(line.lstrip(" "))
            if block_indent is None:
                if indent <= key_indent:
                    break
                block_indent = indent
            elif indent < block_indent:
                break
        j += 1
    while j > i + 1 and not lines[j - 1].strip():
        j -= 1
    if block_indent is None or j == i + 1:
        return None, j
    masks = {}
    body_lines = [mask_expressions(lines[k][block_indent:], masks) for k in range(i + 1, j)]
    rows = [(k + 1, block_indent) for k in range(i + 1, j)]
    snippet = Snippet("\n".join(body_lines), rows)
    snippet.masks = masks
    if block.group(1) == ">":
        snippet.parse_text = _folded(body_lines)
    return snippet, j


def _folded(lines: list[str]) -> str:
    """A folded block (``run: >``) as YAML gives it to the shell, in as many characters: a line
    break between two lines of text at the block's indentation is a space; around blank or more
    indented lines the breaks stay."""
    out = []
    for k, line in enumerate(lines):
        out.append(line)
        if k + 1 < len(lines):
            following = lines[k + 1]
            plain = line.strip() and not line[:1].isspace()
            folds = plain and following.strip() and not following[:1].isspace()
            out.append(" " if folds else "\n")
    return "".join(out)


def _read_keys(step: Step, lines: list[str], key_indent: int, run: tuple[int, int]) -> None:
    """The step's ``id``, ``shell`` and ``continue-on-error``, and its disable comments (on its
    lines outside the script, or on comment lines right above it)."""
    disabled: set[str] = set()
    above = step.start - 1
    while above >= 0 and lines[above].strip().startswith("#"):
        disabled |= parse_disable(lines[above].strip()) or frozenset()
        above -= 1
    for k in range(step.start, step.end):
        if run[0] < k < run[1]:
            continue
        line = lines[k]
        comment = _COMMENT.search(line)
        if comment is not None:
            disabled |= parse_disable(comment.group(1)) or frozenset()
        key = _KEY.match(line)
        if key is None or key.start(2) != key_indent:
            continue
        value = _COMMENT.sub("", key.group(3) or "").strip().strip("'\"")
        name = key.group(2)
        if name == "id":
            step.id = value
        elif name == "shell":
            step.shell = value
        elif name == "continue-on-error" and value.lower() == "true":
            step.continue_at = (k + 1, key.start(2) + 1)
    step.disabled = frozenset(disabled)
    if step.snippet is not None:
        step.snippet.disabled = step.snippet.disabled | step.disabled


#: ``steps.ID.outputs.NAME == N`` (either way round) in an expression.
STEP_COMPARISON = re.compile(
    r"steps\.(?P<id>[A-Za-z_][\w-]*)\.outputs\.(?P<output>[\w-]+)\s*(?P<op>==|!=)\s*"
    r"(?P<q>'?)(?P<code>\d+)(?P=q)"
    r"|(?P<q2>'?)(?P<code2>\d+)(?P=q2)\s*(?P<op2>==|!=)\s*"
    r"steps\.(?P<id2>[A-Za-z_][\w-]*)\.outputs\.(?P<output2>[\w-]+)")


def step_comparisons(text: str) -> list[tuple[int, int, str, str, int]]:
    """Every ``steps.ID.outputs.NAME == N`` with N not 0 and NAME about an exit status: (line,
    column of N, both 1-based; ID; NAME; N)."""
    found = []
    for index, line in enumerate(text.split("\n")):
        if "steps." not in line:
            continue
        for match in STEP_COMPARISON.finditer(line):
            if match.group("code") is not None:
                step_id, output, code_at = match.group("id"), match.group("output"), "code"
            else:
                step_id, output, code_at = match.group("id2"), match.group("output2"), "code2"
            code = int(match.group(code_at))
            lowered = output.lower().replace("_", "-")
            if code == 0 or not any(word in lowered for word in
                                    ("exit", "code", "status", "rc", "ret")):
                continue
            found.append((index + 1, match.start(code_at) + 1, step_id, output, code))
    return found
