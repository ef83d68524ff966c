"""``exitkit import``: a contract from the documentation a tool already has.

Two kinds of page are read:

- a man page (roff, plain or gzipped; ``man:NAME`` for the installed one): its EXIT STATUS, EXIT
  CODES, EXIT VALUES, RETURN VALUES or DIAGNOSTICS section — ``.TP``/``.IP`` items, ``N: text``
  and ``N  text`` lines — or, without such a section, a sentence like "the exit status is 0 if
  inputs are the same, 1 if different, 2 if trouble" anywhere in the page;
- a Markdown or text page (also a web page saved as text): the table or list under a heading
  about exit codes or exit status, whatever its columns; and tables of string error codes
  (``NOT_FOUND | not-found | …``, ``EXPECTATION_FAILED 1 …``) whose rows name an exit.

What comes out is a draft to review: every exit has a code, a kebab-case name made from its
meaning (or from a category column), a kind guessed from the words with a ``# check`` comment, the
page's meaning, and ``source``. It always passes ``exitkit lint``.
"""

from __future__ import annotations

import gzip
import os
import re

from exitkit.contracts.model import KINDS, MAX_CODE, is_kebab
from exitkit.errors import ExitkitError
from exitkit.text import quoted

#: Section or heading words that announce an exit-code table.
_SECTION = re.compile(r"\b(exit[ -]?(status|codes?|values?)|return (values?|codes?)|"
                      r"diagnostics)\b", re.IGNORECASE)
#: Words → kind, first match wins (the meaning and name, lower-cased).
_KIND_WORDS: tuple[tuple[str, str], ...] = (
    (r"\bsuccess|\bsucceeded|completed successfully|\bok\b", "success"),
    (r"\bin progress|still (running|in progress)", "in-progress"),
    # "times out", not "the timeout command" (timeout's own 125)
    (r"times? ?out\b(?![ -]command)|timed out|deadline", "timeout"),
    (r"rate[- ]limit|\b429\b|too many requests", "rate-limited"),
    (r"\bnot found|no such|does ?n[o']t exist|not exist|\bmissing\b|\bnot registered", "not-found"),
    (r"\bauth|unauthori[sz]ed|forbidden|permission|access denied|credential|\btoken\b",
     "auth"),
    (r"\busage\b|\bsyntax\b|\bargument|\bflag\b|\boption", "usage"),
    (r"\bconfig|\bprofile\b|\bschema\b|\btoml\b|\byaml\b", "config"),
    (r"conflict|already exists|\block", "conflict"),
    (r"validat|\binvalid\b|malformed", "validation"),
    (r"refused|precondition|\brisk\b|drift|not resumable|unsafe", "precondition"),
    (r"transient|\bbusy\b|unavailable|\bretry|temporar", "transient"),
    (r"network|connect|unreachable|resolve|\bdns\b|\bhttp\b|download|clone", "network"),
    (r"internal|\bbug\b|unexpected", "internal"),
    # killed by one, not "could be signalled" (pgrep's "none could be signalled")
    (r"\bkilled|interrupt|\bby (a )?signal|\bsignal \d|caught (a )?signal", "signal"),
)
_STOP_AT = re.compile(r"[.,;:(/\u2014\u2013\[]| - | -- ")  # em and en dashes too


class Row:
    """One exit found on the page: its code, its meaning, what else the row said (``when``), and
    the category the page gave it (a name and a kind when it is one of the kinds)."""

    __slots__ = ("category", "code", "meaning", "when")

    def __init__(self, code: int, meaning: str, when: str = "", category: str = "") -> None:
        self.code = code
        self.meaning = meaning
        self.when = when
        self.category = category


class ErrorRow:
    """A string error code and the exit the page says it exits with (a code or a category)."""

    __slots__ = ("code", "exit", "meaning")

    def __init__(self, code: str, exit: str, meaning: str) -> None:
        self.code = code
        self.exit = exit
        self.meaning = meaning


# --- reading the source -----------------------------------------------------------------------


def read_source(source: str) -> tuple[str, str]:
    """The text of *source* (a file, gzipped or not, or ``man:NAME``) and the path it came from."""
    path = source
    if source.startswith("man:"):
        path = _man_path(source[4:])
    try:
        with open(path, "rb") as fh:
            raw = fh.read(4 << 20)
    except FileNotFoundError:
        raise ExitkitError("not-found", f"no such file: {quoted(source)}") from None
    except IsADirectoryError:
        raise ExitkitError("usage", f"{quoted(source)} is a directory, not a page") from None
    except OSError as exc:
        raise ExitkitError("not-found", f"cannot read {quoted(source)}: {exc.strerror}") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ExitkitError("usage", f"{quoted(source)} is not a readable gzip file: {exc}") \
                from None
    return raw.decode("utf-8", "replace"), path


def _man_path(name: str) -> str:
    import subprocess

    if not name or name.startswith("-") or "/" in name:
        raise ExitkitError("usage", f"not a man page name: {quoted(name)}",
                           hint="exitkit import man:grep")
    try:
        found = subprocess.run(["man", "-w", name], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ExitkitError("not-found", f"cannot ask man for {quoted(name)}: {exc}",
                           hint="give the page's file instead") from None
    path = found.stdout.strip().splitlines()[0] if found.stdout.strip() else ""
    if found.returncode != 0 or not path:
        raise ExitkitError("not-found", f"no installed man page for {quoted(name)}",
                           hint="give the page's file instead (a .1 or .1.gz file)")
    return path


#: ``.IP`` tags that only draw a bullet (rsync's page uses a letter o).
_BULLETS = frozenset(("•", "-", "*", "o", "+"))


def is_roff(text: str) -> bool:
    return bool(re.search(r"^\.(TH|SH|Dt|Sh)\b", text, re.MULTILINE))


# --- man pages --------------------------------------------------------------------------------


#: roff's named characters and the strings man pages define for them (``\(aq``, ``\[em]``,
#: ``\*(Aq``, shadow-utils' apostrophe), as the characters they print.
_ROFF_CHARACTERS = {"aq": "'", "Aq": "'", "dq": '"', "lq": "\u201c", "rq": "\u201d",
                    "oq": "\u2018", "cq": "\u2019", "em": "\u2014", "en": "\u2013",
                    "hy": "-", "mi": "-", "bu": "•", "ti": "~", "ha": "^", "rs": "\\",
                    "co": "\u00a9", "tm": "\u2122", "lA": "<=", "rA": "=>", "<=": "<=",
                    ">=": ">=", "mu": "\u00d7", "de": "\u00b0"}


def _roff_character(match: re.Match[str]) -> str:
    name = match.group(1) or match.group(2) or match.group(3) or match.group(4) or ""
    return _ROFF_CHARACTERS.get(name, "")


def _unroff(text: str) -> str:
    """One line of roff text without its escapes."""
    text = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", text)
    # \(xx, \[name], \*(xx, \*[name]: a character or a defined string
    text = re.sub(r"\\\(([^\s]{2})|\\\[([^]\s]+)\]|\\\*\(([^\s]{2})|\\\*\[([^]\s]+)\]",
                  _roff_character, text)
    text = text.replace("\\-", "-").replace("\\^", "").replace("\\&", "").replace("\\e", "\\")
    text = text.replace("\\ ", " ").replace("\\|", "").replace("\\/", "").replace("\\,", "")
    return text.strip()


def man_items(text: str) -> tuple[str, list[tuple[str, list[tuple[str, str]]]]]:
    """The page's name (``.TH``) and its sections: (heading, [(tag, text)…]) where an item is a
    ``.TP``/``.IP`` with its tag, or a paragraph with an empty tag."""
    name = ""
    sections: list[tuple[str, list[tuple[str, str]]]] = [("", [])]
    tag: str | None = None
    pending_tag = False
    words: list[str] = []

    def close() -> None:
        nonlocal words, tag
        if words or tag:
            sections[-1][1].append((tag or "", " ".join(words).strip()))
        words, tag = [], None

    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith((".", "'")):
            request, _, rest = line[1:].strip().partition(" ")
            rest = rest.strip()
            if request == "TH":
                name = _unroff(rest.split()[0].strip('"')).lower() if rest.split() else ""
            elif request in ("SH", "SS", "Sh", "Ss"):
                close()
                sections.append((_unroff(rest.strip('"')), []))
            elif request == "TP":
                close()
                pending_tag = True
            elif request == "IP":
                close()
                first = re.match(r'"([^"]*)"|(\S+)', rest)
                # `.IP "" 4` (ronn, pandoc): an empty quoted tag is no tag
                label = _unroff((first.group(1) or first.group(2) or "") if first else "")
                tag = "" if label in _BULLETS else label
            elif request in ("PP", "P", "LP", "sp", "br", "Pp", ""):
                close()
            elif request in ("B", "I", "BR", "IR", "RB", "RI", "BI", "IB", "SM", "It", "Em"):
                piece = _unroff(" ".join(w.strip('"') for w in rest.split()))
                if pending_tag:
                    tag, pending_tag = piece, False
                else:
                    words.append(piece)
            continue
        piece = _unroff(line)
        if pending_tag:
            tag, pending_tag = piece, False
        elif piece:
            words.append(piece)
    close()
    return name, sections


def rows_from_man(text: str) -> tuple[str, list[Row]]:
    name, sections = man_items(text)
    for heading, items in sections:
        if not _SECTION.search(heading):
            continue
        rows = _rows_from_items(items)
        if rows:
            return name, rows
    everything = " ".join(text for _, items in sections for _, text in items)
    return name, _rows_from_sentence(everything)


def _rows_from_items(items: list[tuple[str, str]]) -> list[Row]:
    rows: list[Row] = []
    for tag, body in items:
        code = _code(tag)
        if code is not None and body:
            rows.append(Row(code, *_meaning_and_when(body)))
            continue
        found = re.match(r"^(\d{1,3})\s*(?::|-|\s)\s*(\S.*)$", body)
        if not tag and found and _code(found.group(1)) is not None:
            rows.append(Row(int(found.group(1)), *_meaning_and_when(found.group(2))))
    if not rows:
        return _rows_from_sentence(" ".join(body for _, body in items))
    return rows


def _rows_from_sentence(text: str) -> list[Row]:
    """``exit status is 0 if inputs are the same, 1 if different, 2 if trouble`` → three rows."""
    found = re.search(r"exit (?:status|code) (?:is|will be) ((?:\d{1,3} if [^,;.]+[,;]?\s*"
                      r"(?:and |or )?)+)", text, re.IGNORECASE)
    if not found:
        return []
    rows = []
    for code, meaning in re.findall(r"(\d{1,3}) if ([^,;.]+?)(?=,|;|$| and \d| or \d)",
                                    found.group(1)):
        if _code(code) is not None:
            meaning = re.sub(r"^(and|or)\s+", "", meaning.strip())
            rows.append(Row(int(code), meaning[:1].upper() + meaning[1:]))
    return rows


# --- Markdown and text pages ------------------------------------------------------------------

_ERROR_CODE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^[A-Z]{3,}$")


def _cells(line: str) -> list[str]:
    """The cells of a table row; ``\\|`` is a pipe inside a cell, as in GitHub's Markdown."""
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [cell.replace("\\|", "|").strip() for cell in re.split(r"(?<!\\)\|", inner)]


def _is_heading(lines: list[str], at: int) -> bool:
    """Whether line *at* looks like a heading: Markdown's ``#``, a line in capitals (a man page
    as text), a line underlined with ``===``/``---``, or a short line ending in ``:``."""
    line = lines[at].strip()
    underlined = at + 1 < len(lines) and re.fullmatch(r"[=-]{3,}", lines[at + 1].strip())
    return bool(line.startswith("#") or underlined or (
        len(line) <= 60 and (line.upper() == line or line.endswith(":"))))


def rows_from_text(text: str) -> tuple[list[Row], list[ErrorRow]]:
    lines = [line.rstrip() for line in text.splitlines()]
    rows: list[Row] = []
    found = [start for start, line in enumerate(lines)
             if _SECTION.search(line) and len(line) < 120 and not re.match(r"^\s*\d", line)]
    # a heading first: "exitcode" in a sentence about --write-out is not curl's EXIT CODES
    for start in sorted(found, key=lambda at: not _is_heading(lines, at)):
        rows = _rows_after(lines, start)
        if rows:
            break
    return rows, _error_rows(lines)


def _rows_after(lines: list[str], start: int) -> list[Row]:
    """The exit rows of the table or list that follows the heading at *start*."""
    header = _header_of(lines[start])
    rows: list[Row] = []
    pending: list[str] = []  # a row spread over lines ("2 |" then its cells, one per line)
    skipped = 0
    # a table whose cells lost their separators ("ExitMeaningWhen", then "0SuccessOperation
    # completed"): the meaning ends where a capital follows a small letter
    glued = False

    def flush() -> None:
        if pending:
            row = _row_from_cells(_cells(" ".join(pending)), header)
            if row is not None:
                rows.append(row)
            pending.clear()

    # a plain row's text and indentation, for the lines that continue it (a man page as text)
    last: tuple[int, str, int] | None = None
    # where a first row may stand: after the heading, a blank line, an introduction ending in
    # ":" or a table's header; right under a line of prose, "124 gets mixed up with …" is that
    # sentence wrapped
    may_start = True

    for line in lines[start + 1:]:
        stripped = line.strip()
        if not stripped:
            may_start = True
            continue
        indent = len(line.expandtabs()) - len(line.expandtabs().lstrip())
        if last is not None and indent > last[2] and not re.match(r"^\d{1,3}\s", stripped):
            code, text, row_indent = last
            # "re" and U+2010 at a line's end: a word the formatter broke
            joined = (text[:-1] + stripped) if text.endswith(("\u2010", "\u00ad")) \
                else f"{text} {stripped}"
            last = (code, joined, row_indent)
            rows[-1] = Row(code, *_meaning_and_when(joined))
            continue
        last = None
        cells = _cells(stripped) if "|" in stripped else []
        if cells and all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c):
            continue  # a Markdown separator row
        if "|" in stripped and not rows and not pending and _code(cells[0]) is None:
            header = _header_of(stripped) or header  # the header row
            continue
        if "|" in stripped and _code(cells[0]) is not None:
            flush()
            pending.append(stripped)
            if len([c for c in cells if c]) > 1:
                flush()
            continue
        if pending and stripped.endswith("|"):
            pending.append(stripped)
            continue
        flush()
        # a list item whose code is marked (`0`, **0**): a list number or bullet before it is not
        # the code ("1. `0` — ok")
        marked = re.match(r"^(?:(?:[-*•+]|\d{1,3}[.)])\s+)?(`|\*\*)(\d{1,3})\1\s*"
                          r"[:.)\u2013\u2014-]?\s*(\S.*)$", stripped)
        if marked:
            stripped = f"{marked.group(2)} {marked.group(3)}"
        plain = re.match(r"^[-*•]?\s*(\d{1,3})(?:\s*[:.)\u2013\u2014-]\s*|\s+|(?=[A-Z]))(\S.*)$",
                         stripped)
        if plain and _code(plain.group(1)) is not None and "|" not in stripped and (
                rows or may_start or marked):
            text = plain.group(2)
            split = re.search(r"(?<=[a-z)])(?=[A-Z])", text) if glued else None
            if split:
                rows.append(Row(int(plain.group(1)), _tidy(text[:split.start()]),
                                _tidy(text[split.start():])))
            else:
                rows.append(Row(int(plain.group(1)), *_meaning_and_when(text)))
                last = (int(plain.group(1)), text, indent)
            continue
        if rows:
            break
        skipped += 1
        if skipped > 12:
            break
        glued = glued or bool(re.fullmatch(r"(?:[A-Z][a-z]+){2,}", stripped))
        header = _header_of(stripped) or header
        # an introduction ("…returned:"), a heading, a table's rule or its column names
        may_start = (stripped.endswith(":") or glued or _is_heading([stripped], 0)
                     or bool(re.fullmatch(r"[-=_\u2500\u2501\u2550 ]{3,}", stripped))
                     or (len(stripped) <= 40 and re.search(r"\S {2,}\S", stripped) is not None))
    flush()
    return rows


def _header_of(line: str) -> list[str]:
    """The column names of a header row (``| Code | Category | Meaning |``), lower-cased."""
    if "|" not in line:
        return []
    return [cell.lower() for cell in _cells(line.split("”")[-1])]


def _row_from_cells(cells: list[str], header: list[str]) -> Row | None:
    code = _code(cells[0]) if cells else None
    if code is None:
        return None
    rest = [c for c in cells[1:] if c]
    if not rest:
        return None
    names = header[1:] if len(header) == len(cells) else []
    category, meaning, when = "", "", []
    for i, cell in enumerate(cells[1:]):
        column = names[i] if i < len(names) else ""
        if not cell:
            continue
        if "category" in column or "kind" in column or "class" in column:
            category = cell
        elif not meaning and (not column or any(w in column for w in (
                "meaning", "description", "desc", "what", "summary", "status"))):
            meaning = cell
        else:
            when.append(cell)
    if not meaning:
        meaning, when = (when[0], when[1:]) if when else (category, [])
    text, extra = _meaning_and_when(meaning)
    return Row(code, text, "; ".join(filter(None, [extra, *(_tidy(w) for w in when)])),
               category)


def _error_rows(lines: list[str]) -> list[ErrorRow]:
    """String error codes with the exit each names: ``CODE | category | meaning`` or
    ``CODE 1 meaning``."""
    found: list[ErrorRow] = []
    seen: set[str] = set()
    for line in lines:
        stripped = line.strip()
        if "|" in stripped:
            cells = _cells(stripped)
            if len(cells) >= 3 and _ERROR_CODE.match(cells[0]) and cells[1]:
                code, exit, meaning = cells[0], cells[1], cells[2]
            else:
                continue
        else:
            match = re.match(r"^([A-Z][A-Z0-9_]+)\s+(\d{1,3})\s+(\S.*)$", stripped)
            if not match or not _ERROR_CODE.match(match.group(1)):
                continue
            code, exit, meaning = match.groups()
        if code not in seen:
            seen.add(code)
            found.append(ErrorRow(code, exit, _tidy(meaning)))
    return found


# --- the contract -----------------------------------------------------------------------------


def _code(text: str) -> int | None:
    text = text.strip().strip('"')
    if text.isascii() and text.isdigit() and len(text) <= 3 and int(text) <= MAX_CODE:
        return int(text)
    return None


def _tidy(text: str) -> str:
    """One line, no surrounding space, no final full stop (the contract style)."""
    text = " ".join(text.split()).strip().rstrip("|").strip()
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def _meaning_and_when(text: str) -> tuple[str, str]:
    """The first sentence is the meaning, the rest goes to ``when``."""
    text = _tidy(text)
    first, sep, rest = text.partition(". ")
    return (first, _tidy(rest)) if sep and len(first) >= 3 else (text, "")


def kebab_name(text: str) -> str:
    """A kebab-case exit name from a meaning: up to four words before the first punctuation."""
    head = _STOP_AT.split(text, maxsplit=1)[0]
    # an apostrophe joins its word: "can't" is one word, cant, not can and t
    head = re.sub(r"(?<=[A-Za-z])['\u2019](?=[A-Za-z])", "", head)
    words = re.findall(r"[a-z0-9]+", head.lower())
    while words and (not words[0][0].isalpha() or words[0] in _LEADING):
        words.pop(0)
    return "-".join(words[:4])


#: A shell convention's kind (126 not-executable, 127 command-not-found) is taken for its code
#: when the page's words say the same.
_CONVENTION_WORDS = {"not-executable": r"invoke|execut|permission",
                     "command-not-found": r"not (be )?found|cannot be found"}

#: Words a meaning may start with that say nothing ("if COMMAND times out").
_LEADING = frozenset(("if", "when", "the", "a", "an", "is", "was", "it"))


def guess_kind(code: int, text: str) -> str:
    """A kind for *code* from the words of its name and meaning (``failure`` when none fits);
    the statuses shells give a meaning of their own are read that way when the words agree."""
    if code == 0:
        return "success"
    lowered = text.lower()
    from exitkit.contracts.loader import load_builtin
    from exitkit.signals import signal_in_status

    if signal_in_status(code) is not None and re.search(r"signal|kill", lowered):
        return "signal"
    convention = load_builtin("shell").lookup(code)
    words = _CONVENTION_WORDS.get(convention.kind) if convention is not None else None
    if convention is not None and words is not None and re.search(words, lowered):
        return convention.kind
    for pattern, kind in _KIND_WORDS:
        if kind != "success" and re.search(pattern, lowered):
            return kind
    return "failure"


def build(rows: list[Row], errors: list[ErrorRow], name: str, source: str) -> str:
    """The contract as TOML, with ``# check`` on each guessed kind. Raises when there is nothing
    to build."""
    from exitkit.contracts.render import toml_string

    by_code: dict[int, Row] = {}
    for row in rows:
        by_code.setdefault(row.code, row)
    lines = [
        f"# Imported by `exitkit import` from {_comment(source)}: review every name, kind and",
        "# meaning (each `# check` is a guess), then `exitkit lint` it.",
        f"name = {toml_string(name)}",
        'version = "1.0.0"',
        f"source = {toml_string(source)}",
    ]
    used: set[str] = set()
    exit_names: dict[str, str] = {}  # a category or code (as the page writes it) → exit name
    for code in sorted(by_code):
        row = by_code[code]
        category = row.category.lower().strip()
        base = category if is_kebab(category) else kebab_name(row.meaning or row.category)
        if not is_kebab(base):
            base = f"exit-{code}"
        exit_name, n = base, 2
        while exit_name in used:
            exit_name, n = f"{base}-{n}", n + 1
        used.add(exit_name)
        exit_names.setdefault(str(code), exit_name)
        if category:
            exit_names.setdefault(category, exit_name)
        meaning = row.meaning or row.category or f"Exit {code}"
        given = category if category in KINDS else ""
        kind = given or guess_kind(code, f"{exit_name} {meaning} {row.when}")
        lines += ["", "[[exit]]", f"code = {code}", f"name = {toml_string(exit_name)}",
                  f"kind = {toml_string(kind)}" + ("" if given or code == 0 else "  # check"),
                  f"meaning = {toml_string(meaning)}"]
        if row.when:
            lines.append(f"when = {toml_string(row.when)}")
    for err in errors:
        target = exit_names.get(err.exit.lower().strip()) or exit_names.get(err.exit.strip())
        if target is None:
            continue
        lines += ["", "[[error]]", f"code = {toml_string(err.code)}",
                  f"exit = {toml_string(target)}", f"meaning = {toml_string(err.meaning)}"]
    return "\n".join(lines) + "\n"


def _comment(text: str) -> str:
    return " ".join(text.split()).replace("\n", " ")


def import_page(source: str, name: str | None = None) -> tuple[str, int, int]:
    """``exitkit import SOURCE``: the contract's TOML, and how many exits and error codes it has.

    Raises :class:`ExitkitError` ``not-found`` when the page has no exit-code section, saying
    what was searched."""
    text, path = read_source(source)
    errors: list[ErrorRow] = []
    if is_roff(text):
        page_name, rows = rows_from_man(text)
        searched = ("a man page section named EXIT STATUS, EXIT CODES, EXIT VALUES, RETURN "
                    "VALUES or DIAGNOSTICS, and a sentence like 'the exit status is 0 if …'")
    else:
        page_name = ""
        rows, errors = rows_from_text(text)
        searched = ("a heading about exit codes or exit status followed by a table or a list of "
                    "codes")
    if not rows:
        raise ExitkitError("not-found", f"no exit codes found in {quoted(source)}: looked for "
                           f"{searched}", hint="write the contract by hand (docs/contracts.md)")
    if name is not None and not is_kebab(name):
        raise ExitkitError("usage", f"--name: {quoted(name)} is not a kebab-case name",
                           hint="like 'mytool' or 'my-tool'")
    if name is None:
        stem = os.path.basename(path).split(".")[0].lower()
        name = re.sub(r"[^a-z0-9]+", "-", page_name or stem).strip("-")
        if not is_kebab(name):
            raise ExitkitError("usage", f"cannot make a contract name from {quoted(source)}",
                               hint="name it: exitkit import SOURCE --name mytool")
    toml = build(rows, errors, name, source)
    exits = len({row.code for row in rows})
    return toml, exits, toml.count("[[error]]")
