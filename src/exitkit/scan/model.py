"""What a scan reports: the rules with their stable ids, findings, file errors, and snippets of
shell code that know where each of their characters stands in the original file."""

from __future__ import annotations

from collections.abc import Sequence

#: The rules: stable id → (kind, one-line description). Ids are never reused or renumbered.
RULES: dict[str, tuple[str, str]] = {
    "EK101": ("magic-number", "An exit status compared with a tool's bare exit code"),
    "EK102": ("or-true", "Every failure of a command with an exit-code contract tolerated"),
    "EK103": ("teardown-dance", "A status captured by hand so that one named code counts as "
                                "success"),
    "EK104": ("timeout-124", "timeout(1)'s 124 checked by hand, or colliding with the tool's "
                             "own codes"),
    "EK105": ("retry-loop", "A hand-written retry loop around a command with an exit-code "
                            "contract"),
    "EK106": ("continue-on-error", "continue-on-error: true on a workflow step whose command "
                                   "has an exit-code contract"),
}

#: Kind → id.
IDS: dict[str, str] = {kind: rule_id for rule_id, (kind, _) in RULES.items()}


class Finding:
    """One place in one file, one rule, and what to write instead."""

    __slots__ = ("code", "column", "file", "fix", "id", "kind", "line", "message", "name",
                 "suggestion", "tool")

    def __init__(self, file: str, line: int, column: int, id: str, message: str,
                 suggestion: str, *, tool: str | None = None, code: int | None = None,
                 name: str | None = None, fix: tuple[tuple[int, int, str], ...] = ()) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.id = id
        self.kind = RULES[id][0]
        self.tool = tool
        self.code = code
        self.name = name
        self.message = message
        self.suggestion = suggestion
        #: The mechanical rewrite, as (start, end, text) edits of the file's characters; empty
        #: when the replacement needs a person (``exitkit scan --diff`` prints the others).
        self.fix = fix

    def key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.id)

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "column": self.column, "id": self.id,
                "kind": self.kind, "tool": self.tool, "code": self.code, "name": self.name,
                "message": self.message, "suggestion": self.suggestion}

    def __repr__(self) -> str:
        return f"Finding({self.file}:{self.line}:{self.column} {self.id} {self.kind})"


class FileError:
    """A file that could not be scanned (unreadable, binary, not a regular file)."""

    __slots__ = ("file", "message")

    def __init__(self, file: str, message: str) -> None:
        self.file = file
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"file": self.file, "message": self.message}


class Snippet:
    """Shell code to parse, and where each of its characters stands in the original file.

    *rows* maps each line of *text* to (line in the file, 1-based; column offset, 0-based) — a
    workflow's ``run:`` block is its lines shifted right by their indentation; *columns* maps
    single rows character by character where the text was rewritten (a Makefile's ``$$``).
    Without either, the snippet is the whole file. *disabled* holds the rule ids and kinds
    suppressed for the whole snippet (a comment on the workflow step or before the recipe line).
    """

    __slots__ = ("_starts", "columns", "disabled", "errexit", "masks", "parse_text", "rows",
                 "text")

    def __init__(self, text: str, rows: Sequence[tuple[int, int]] | None = None,
                 columns: dict[int, list[int]] | None = None,
                 disabled: frozenset[str] = frozenset()) -> None:
        self.text = text
        self.rows = rows
        self.columns = columns or {}
        self.disabled = disabled
        #: placeholder → the ``${{ … }}`` expression it masks (workflow steps)
        self.masks: dict[str, str] = {}
        #: The text the shell reads, when it differs from *text* in its line breaks alone (a
        #: folded ``run: >`` block): parsed instead, while positions are read from *text*.
        self.parse_text: str | None = None
        #: Whether the shell runs it with ``-e`` from its first line (a workflow step).
        self.errexit = False
        #: Where each line of *text* starts, made at the first :meth:`locate`.
        self._starts: list[int] | None = None

    def unmask(self, text: str) -> str:
        """*text* (a message quoting the snippet) with the masked expressions shown again."""
        for word, expression in self.masks.items():
            text = text.replace(word, expression)
        return text

    def locate(self, offset: int) -> tuple[int, int]:
        """(line, column), both 1-based, in the original file of the character at *offset*."""
        import bisect

        if self._starts is None:  # one pass over the text, however many findings it has
            starts, at = [0], self.text.find("\n")
            while at >= 0:
                starts.append(at + 1)
                at = self.text.find("\n", at + 1)
            self._starts = starts
        row = bisect.bisect_right(self._starts, offset) - 1
        col = offset - self._starts[row]
        if self.rows is None:
            return row + 1, col + 1
        line, shift = self.rows[min(row, len(self.rows) - 1)]
        exact = self.columns.get(row)
        if exact is not None and col < len(exact):
            return line, exact[col] + 1
        return line, shift + col + 1


def parse_disable(comment: str) -> frozenset[str] | None:
    """The ids and kinds of ``# exitkit disable=EK101,or-true`` in *comment*, or ``None`` when it
    is no such directive."""
    at = comment.find("exitkit")
    if at < 0:
        return None
    rest = comment[at + len("exitkit"):].lstrip()
    if not rest.startswith("disable="):
        return None
    words = rest[len("disable="):].split()
    items = words[0].split(",") if words else []
    found = frozenset(item.strip() for item in items if item.strip())
    return found or None


def suppressed(finding_id: str, disabled: frozenset[str]) -> bool:
    """Whether *disabled* (ids, kinds, or ``all``) switches off rule *finding_id*."""
    return bool(disabled) and (finding_id in disabled or RULES[finding_id][0] in disabled
                               or "all" in disabled)
