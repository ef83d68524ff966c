"""POSIX sh: dash, busybox ash, any /bin/sh. Also the core that bash and zsh share.

Each lookup is one ``case`` statement over string literals: no subshell, no loop, no external
command. Every contract string goes through :func:`~exitkit.shells.quote.quote_posix`.
"""

from __future__ import annotations

from exitkit.shells.quote import quote_posix as q

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from exitkit.shells.section import Section

# Characters that make shellcheck suspect a quoting mistake in a single-quoted string (SC1003 \',
# SC1004 backslash-newline, SC2016 $ and `), though contract text is meant literally there.
_LINT_BAIT = frozenset("$`\\")
_LITERAL_NOTE = "# Contract text is meant literally: $, ` and \\ in single quotes expand nothing."
_UNUSED_NOTE = "# The script that sources this file reads these constants; shellcheck can't tell."


class Dialect:
    """The small ways bash, zsh and sh differ in otherwise identical code."""

    __slots__ = ("assign", "export", "name", "preamble", "printf", "ret", "shellcheck")

    def __init__(
        self,
        name: str,
        *,
        printf: str,
        ret: str,
        assign: str,
        export: str,
        preamble: str | None = None,
        shellcheck: bool = False,
    ) -> None:
        self.name = name
        #: How to call printf and return past the user's aliases and functions of the same name.
        self.printf = printf
        self.ret = ret
        #: How to set a constant, plain or exported (``{}`` is ``NAME=value``).
        self.assign = assign
        self.export = export
        #: A first line for every function body.
        self.preamble = preamble
        #: Whether the output carries shellcheck directives (shellcheck checks bash and sh).
        self.shellcheck = shellcheck


SH = Dialect(
    "sh",
    # dash has no `builtin`; `command` skips functions and the backslash skips aliases (dash expands
    # aliases in scripts too). `return` is a special built-in, found before any function.
    printf="\\command printf",
    ret="\\return",
    assign="{}",
    export="export {}",
    shellcheck=True,
)


def render_posix(section: Section, dialect: Dialect, *, export: bool) -> str:
    """Lay out *section* for a POSIX-family shell."""
    printf = f"{dialect.printf} '%s\\n'"
    ret = dialect.ret
    lines = [
        section.signature,
        f'# Load with: eval "$(exitkit shell {dialect.name} {section.contract})", '
        "or source this file.",
    ]
    if dialect.shellcheck:
        lines.append(f"# shellcheck shell={dialect.name}")
    lines.append("")

    if section.arms:
        if dialect.shellcheck and not export:
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

    def function(comment: str, name: str, body: list[str], texts: Iterable[str] = ()) -> None:
        lines.append(f"# {comment}")
        if dialect.shellcheck and any(set(text) & _LINT_BAIT for text in texts):
            lines.append(_LITERAL_NOTE)
            lines.append("# shellcheck disable=SC1003,SC1004,SC2016")
        lines.append(f"{name}() {{")
        if dialect.preamble:
            lines.append(f"  {dialect.preamble}")
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
        [arm.detail for arm in section.arms],
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
    function(
        f"{section.fn_is} NAME|KIND CODE: status 0 when exit code CODE has that name or kind.",
        section.fn_is,
        [
            f'{section.fn_row} "${{2:-}}" || {ret} 1',
            # quoted expansions in a pattern match literally
            f'case "${{1:-}}" in "{name_var}" | "{kind_var}") {ret} 0 ;; esac',
            f"{ret} 1",
        ],
    )
    function(
        f"{section.fn_describe} CODE: print one line: code, name, meaning, recovery.",
        section.fn_describe,
        [
            f'{section.fn_row} "${{1:-}}" || {ret} 1',
            # "$1" matched a code pattern above, so it is the code as written in the contract
            f"{dialect.printf} '%s %s: %s\\n' \"$1\" \"{name_var}\" \"{detail_var}\"",
        ],
    )
    if section.errors:
        function(
            f"{section.fn_error_exit} ERROR: print the exit code of string error code ERROR; "
            "status 1 if unknown.",
            section.fn_error_exit,
            # Quoting makes glob characters in error codes match literally.
            lookup([(_pattern(code), str(number)) for code, number in section.errors]),
            [code for code, _ in section.errors],
        )
    return "\n".join(lines[:-1]) + "\n"


def _pattern(text: str) -> str:
    """A case pattern matching exactly *text*: always quoted, since bare words could still glob."""
    quoted = q(text)
    return quoted if quoted.startswith("'") else f"'{quoted}'"


def render(section: Section, *, export: bool) -> str:
    """POSIX sh code for one contract."""
    return render_posix(section, SH, export=export)
