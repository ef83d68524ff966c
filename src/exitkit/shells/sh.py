"""POSIX sh: dash, busybox ash, ksh93, mksh, yash, posh, any /bin/sh. Also the core that bash and
zsh share.

Each lookup is one ``case`` statement over string literals: no subshell, no loop, no external
command. Every contract string goes through the dialect's quoting function
(:mod:`~exitkit.shells.quote`).
"""

from __future__ import annotations

from exitkit.shells.quote import quote_posix

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from exitkit.shells.section import Section

#: Characters in single-quoted contract text that shellcheck takes for mistakes, though they are
#: meant literally there, and the warnings they raise: ``$`` and backticks (SC2016), ``\\'`` and
#: backslash-newline (SC1003, SC1004), typographic quotes (SC1110, SC1111, SC1112).
_LINT_BAIT: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset("$`\\"), "SC1003,SC1004,SC2016"),
    (frozenset("\u2018\u2019\u201c\u201d"), "SC1110,SC1111,SC1112"),
)
_LITERAL_NOTE = "# Contract text is meant literally: nothing in single quotes expands."
_UNUSED_NOTE = "# The script that sources this file reads these constants; shellcheck can't tell."

#: A status as the one rule writes it (contracts.model.parse_code): 0..255, no leading zero.
#: Explicit digit lists: a range such as [0-9] may match other characters in some locales.
_D = "[0123456789]"
_CODE_PATTERN = (f"{_D}|[123456789]{_D}|1{_D}{_D}|2[01234]{_D}|25[012345]")


class Dialect:
    """The small ways bash, zsh and sh differ in otherwise identical code."""

    __slots__ = ("assign", "export", "false", "guard_case", "guard_comments", "local", "name",
                 "preamble", "printf", "quote", "ret", "shellcheck", "shopt")

    def __init__(
        self,
        name: str,
        *,
        printf: str,
        ret: str,
        assign: str,
        export: str,
        false: str,
        quote: Callable[[str], str] = quote_posix,
        preamble: str | None = None,
        shellcheck: bool = False,
        shopt: str | None = None,
        local: str | None = None,
    ) -> None:
        self.name = name
        #: How to call printf and return past the user's aliases and functions of the same name.
        self.printf = printf
        self.ret = ret
        #: How to set a constant, plain or exported (``{}`` is ``NAME=value``).
        self.assign = assign
        self.export = export
        #: A command that fails: what ``exitkit shell`` prints when it cannot print the code, so
        #: that the ``eval`` fails too.
        self.false = false
        #: How contract text becomes one word of this shell.
        self.quote = quote
        #: A first line for every function body.
        self.preamble = preamble
        #: Whether the output carries shellcheck directives (shellcheck checks bash and sh).
        self.shellcheck = shellcheck
        #: bash: how to call shopt and local. Its ``nocasematch`` would make ``case`` compare
        #: names case-blind, and without ``interactive_comments`` an interactive bash runs every
        #: comment as a command: the code sets both as it needs and puts them back.
        self.shopt = shopt
        self.local = local
        self.guard_case = shopt is not None
        self.guard_comments = shopt is not None


SH = Dialect(
    "sh",
    # No `builtin` in POSIX: `command` skips functions and the backslash skips aliases (dash
    # expands aliases in scripts too). `return` is a special built-in, found before any function.
    printf="\\command printf",
    ret="\\return",
    assign="{}",
    export="\\command export {}",
    false="\\command false",
    shellcheck=True,
)


def render_posix(section: Section, dialect: Dialect, *, export: bool) -> str:
    """Lay out *section* for a POSIX-family shell."""
    printf = f"{dialect.printf} '%s\\n'"
    ret = dialect.ret
    q = dialect.quote
    lines: list[str] = []
    comments_var = section.var_comments
    if dialect.guard_comments:
        # first, before any comment: an interactive bash may have comments switched off
        lines.append(f"{dialect.shopt} -q interactive_comments || "
                     f"{{ {dialect.shopt} -s interactive_comments; {comments_var}=1; }}")
    lines += [
        section.signature,
        f'# Load with: eval "$(exitkit shell {dialect.name} {section.contract})", '
        "or source this file.",
    ]
    if dialect.shellcheck:
        lines.append(f"# shellcheck shell={dialect.name}")
    lines.append("")

    if section.arms:
        if dialect.shellcheck:  # (shellcheck takes `\\builtin export` for an assignment too)
            lines.append(_UNUSED_NOTE)
            lines.append("# shellcheck disable=SC2034")
            lines.append("{")
            indent = "  "
        else:
            indent = ""
        form = dialect.export if export else dialect.assign
        lines += [indent + form.format(f"{arm.constant}={arm.code}") for arm in section.arms]
        if indent:
            lines.append("}")
        lines.append("")

    def function(comment: str, name: str, body: list[str], texts: Iterable[str] = (),
                 matches_text: bool = False) -> None:
        # "Usage:" first: a comment starting with "shellcheck" (a contract named so) would be
        # read by shellcheck as a directive
        lines.append(f"# Usage: {comment}")
        if dialect.shellcheck:
            found = set().union(*(set(text) for text in texts))
            codes = [codes for bait, codes in _LINT_BAIT if found & bait]
            if codes:
                lines.append(_LITERAL_NOTE)
                lines.append(f"# shellcheck disable={','.join(codes)}")
        lines.append(f"{name}() {{")
        if dialect.preamble:
            lines.append(f"  {dialect.preamble}")
        if matches_text and dialect.guard_case:
            status = section.var_status
            lines.extend([
                f"  if {dialect.shopt} -q nocasematch; then",
                f"    {dialect.shopt} -u nocasematch",
                f"    {dialect.local} {status}=0",
                f'    {name} "$@" || {status}=$?',
                f"    {dialect.shopt} -s nocasematch",
                f'    {ret} "${status}"',
                "  fi",
            ])
        lines.extend(f"  {line}" for line in body)
        lines.append("}")
        lines.append("")

    def lookup(pairs: list[tuple[str, str]]) -> list[str]:
        body = ['case "${1:-}" in']
        body += [f"  {pattern}) {printf} {value} ;;" for pattern, value in pairs]
        body += [f"  *) {ret} 1 ;;", "esac"]
        return body

    # One table holds the name, kind and description of every code, and the lookups read it: each
    # code costs one line instead of four, which keeps sourcing fast for contracts with many codes.
    name_var, kind_var = f"${section.var_name}", f"${section.var_kind}"
    detail_var = f"${section.var_detail}"
    row_body = ['case "${1:-}" in']
    row_body += [
        f"  {arm.code}) {section.var_name}={q(arm.name)} {section.var_kind}={q(arm.kind)} "
        f"{section.var_detail}={q(arm.detail)} ;;"
        for arm in section.arms
    ]
    row_body += [f"  *) {ret} 1 ;;", "esac"]
    function(
        f"{section.fn_row} CODE: set {section.var_name}, {section.var_kind} and "
        f"{section.var_detail} from exit code CODE; status 1 if unknown.",
        section.fn_row,
        row_body,
        [text for arm in section.arms for text in (arm.name, arm.kind, arm.detail)],
    )
    function(
        f"{section.fn_name} CODE: print the name of exit code CODE; status 1 if unknown.",
        section.fn_name,
        [f'{section.fn_row} "${{1:-}}" || {ret} 1', f'{printf} "{name_var}"'],
    )
    function(
        f"{section.fn_kind} CODE: print the kind of exit code CODE; status 1 if unknown.",
        section.fn_kind,
        [f'{section.fn_row} "${{1:-}}" || {ret} 1', f'{printf} "{kind_var}"'],
    )
    heard: list[str] = []
    if section.heard:
        heard = ['case "${1:-}" in']
        for words, codes in section.heard:
            names = " | ".join(_pattern(q(word)) for word in words)
            heard += [
                f'  {names}) case "${{2:-}}" in {"|".join(str(c) for c in codes)})',
                # "$1" matched one of the quoted names above: it is a kebab-case word
                f"    {dialect.printf} '%s: %s is told apart by stderr, which $? does not "
                f"carry: use exitkit run --ok %s\\n' {q(section.fn_is)} \"$1\" \"$1\" >&2",
                f"    {ret} 2 ;;",
                "  esac ;;",
            ]
        heard.append("esac")
    function(
        f"{section.fn_is} NAME|KIND CODE: status 0 when exit code CODE has that name or kind"
        + ("; status 2 for a name told apart by stderr when CODE is a status it refines "
           "(exitkit run --ok NAME reads it)." if section.heard else "."),
        section.fn_is,
        [
            *heard,
            f'{section.fn_row} "${{2:-}}" || {ret} 1',
            # quoted expansions in a pattern match literally
            f'case "${{1:-}}" in "{name_var}" | "{kind_var}") {ret} 0 ;; esac',
            f"{ret} 1",
        ],
        matches_text=True,
    )
    unknown = f"no meaning in the {section.contract} contract"
    function(
        f"{section.fn_describe} CODE: print one line: code, name, meaning, recovery (for a "
        "code the contract lacks, that it lacks it); status 1 if CODE is not 0..255.",
        section.fn_describe,
        [
            f'if {section.fn_row} "${{1:-}}"; then',
            # "$1" matched a code pattern above, so it is the code as written in the contract
            f"  {dialect.printf} '%s %s: %s\\n' \"$1\" \"{name_var}\" \"{detail_var}\"",
            f"  {ret} 0",
            "fi",
            'case "${1:-}" in',
            f"  {_CODE_PATTERN}) {dialect.printf} '%s: %s\\n' \"$1\" {q(unknown)} ;;",
            f"  *) {ret} 1 ;;",
            "esac",
        ],
    )
    if section.errors:
        function(
            f"{section.fn_error_exit} ERROR: print the exit code of string error code ERROR; "
            "status 1 if unknown.",
            section.fn_error_exit,
            # Quoting makes glob characters in error codes match literally.
            lookup([(_pattern(q(code)), str(number)) for code, number in section.errors]),
            [code for code, _ in section.errors],
            matches_text=True,
        )
    if dialect.guard_comments:
        lines.append(f"case ${{{comments_var}-}} in 1) {dialect.shopt} -u interactive_comments; "
                     f"\\builtin unset {comments_var} ;; esac")
        lines.append("")
    return "\n".join(lines[:-1]) + "\n"


def _pattern(quoted: str) -> str:
    """A case pattern matching exactly the quoted word *quoted*: always quoted, since bare words
    could still glob."""
    return quoted if quoted.startswith(("'", "$'")) else f"'{quoted}'"


def render(section: Section, *, export: bool) -> str:
    """POSIX sh code for one contract."""
    return render_posix(section, SH, export=export)
