"""fish 3.1 and later: ``set -g`` constants and ``switch`` lookups.

Only syntax fish 3.1 knows: no ``$(…)`` (fish 3.4), never universal variables. ``builtin printf``
skips a user's function named printf (fish refuses functions named return, test, set or switch).
"""

from __future__ import annotations

from exitkit.shells.quote import fish_pattern_is_literal
from exitkit.shells.quote import quote_fish as q

TYPE_CHECKING = False
if TYPE_CHECKING:
    from exitkit.shells.section import Section

_PRINTF = "builtin printf '%s\\n'"
#: A status as the one rule writes it (contracts.model.parse_code): 0..255, no leading zero.
_CODE_REGEX = "^(?:[0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])\\z"


def render(section: Section, *, export: bool) -> str:
    """fish code for one contract."""
    scope = "-gx" if export else "-g"
    lines = [
        section.signature,
        f"# Load with: exitkit shell fish {section.contract} | source, or source this file.",
        "",
    ]
    if section.arms:
        lines += [f"set {scope} {arm.constant} {arm.code}" for arm in section.arms]
        lines.append("")

    def function(name: str, description: str, body: list[str]) -> None:
        lines.append(f"function {name} --description {q(f'{section.contract}: {description}')}")
        lines.extend(f"    {line}" for line in body)
        lines.append("end")
        lines.append("")

    def lookup(pairs: list[tuple[str, str]]) -> list[str]:
        body = ['switch "$argv[1]"']
        for pattern, value in pairs:
            body += [f"    case {pattern}", f"        {_PRINTF} {value}"]
        body += ["    case '*'", "        return 1", "end"]
        return body

    # As in the POSIX shells: one table sets the name, kind and description of a code (globals,
    # since fish functions cannot set their caller's locals), and the lookups read it.
    name, kind, detail = section.var_name, section.var_kind, section.var_detail
    row = ['switch "$argv[1]"']
    for arm in section.arms:
        row += [
            f"    case {arm.code}",
            f"        set -g {name} {q(arm.name)}",
            f"        set -g {kind} {q(arm.kind)}",
            f"        set -g {detail} {q(arm.detail)}",
        ]
    # `set` passes the incoming $status along, so after a failed command the function would
    # return 1 without the last line
    row += ["    case '*'", "        return 1", "end", "return 0"]
    function(section.fn_row, f"set {name}, {kind} and {detail} from exit code CODE", row)
    lookup_row = f'{section.fn_row} "$argv[1]"; or return 1'
    function(
        section.fn_name,
        "print the name of exit code CODE; status 1 if unknown",
        [lookup_row, f'{_PRINTF} "${name}"'],
    )
    function(
        section.fn_kind,
        "print the kind of exit code CODE; status 1 if unknown",
        [lookup_row, f'{_PRINTF} "${kind}"'],
    )
    heard: list[str] = []
    for words, codes in section.heard:
        heard += [
            "if builtin contains -- \"$argv[1]\" " + " ".join(q(n) for n in words)
            + "; and builtin contains -- \"$argv[2]\" " + " ".join(str(c) for c in codes),
            f"    builtin printf '%s: %s is told apart by stderr, which $status does not "
            f"carry: use exitkit run --ok %s\\n' {q(section.fn_is)} \"$argv[1]\" "
            "\"$argv[1]\" >&2",
            "    return 2",
            "end",
        ]
    function(
        section.fn_is,
        "status 0 when exit code CODE has name or kind NAME"
        + ("; status 2 for a name told apart by stderr when CODE is a status it refines "
           "(exitkit run --ok NAME reads it)" if section.heard else ""),
        [
            *heard,
            f'{section.fn_row} "$argv[2]"; or return 1',
            f'builtin contains -- "$argv[1]" "${name}" "${kind}"',
        ],
    )
    # a code the contract lacks is still described (a script prints whatever status it got);
    # anything that is not a code 0..255 as the one rule writes it is status 1
    function(
        section.fn_describe,
        "print one line: code, name, meaning, recovery; status 1 if CODE is not 0..255",
        [
            f'if {section.fn_row} "$argv[1]"',
            f"    builtin printf '%s %s: %s\\n' \"$argv[1]\" \"${name}\" \"${detail}\"",
            "    return 0",
            "end",
            f"builtin string match -qr -- {q(_CODE_REGEX)} \"$argv[1]\"; or return 1",
            f"builtin printf '%s: %s\\n' \"$argv[1]\" "
            f"{q(f'no meaning in the {section.contract} contract')}",
        ],
    )
    if section.errors:
        literal = all(fish_pattern_is_literal(code) for code, _ in section.errors)
        function(
            section.fn_error_exit,
            "print the exit code of string error code ERROR; status 1 if unknown",
            lookup([(q(code), str(number)) for code, number in section.errors])
            if literal
            else _errors(section),
        )
    return "\n".join(lines[:-1]) + "\n"


def _errors(section: Section) -> list[str]:
    # fish's `case` treats * and ? as wildcards even inside quotes, so codes holding them (or a
    # backslash, which escapes them) are compared with `test` after the switch found nothing.
    switch = [(code, number) for code, number in section.errors if fish_pattern_is_literal(code)]
    tests = [(code, number) for code, number in section.errors if not fish_pattern_is_literal(code)]
    body: list[str] = []
    if switch:
        body.append('switch "$argv[1]"')
        for code, number in switch:
            body += [f"    case {q(code)}", f"        {_PRINTF} {number}", "        return 0"]
        body.append("end")
    for code, number in tests:
        body += [
            f'if builtin test "$argv[1]" = {q(code)}',
            f"    {_PRINTF} {number}",
            "    return 0",
            "end",
        ]
    body.append("return 1")
    return body
