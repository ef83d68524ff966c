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

    function(
        section.fn_name,
        "print the name of exit code CODE; status 1 if unknown",
        lookup([(str(arm.code), q(arm.name)) for arm in section.arms]),
    )
    function(
        section.fn_kind,
        "print the kind of exit code CODE; status 1 if unknown",
        lookup([(str(arm.code), q(arm.kind)) for arm in section.arms]),
    )
    is_body = ['switch "$argv[2]"']
    for arm in section.arms:
        words = " ".join(q(word) for word in dict.fromkeys((arm.name, arm.kind)))
        is_body += [
            f"    case {arm.code}",
            '        switch "$argv[1]"',
            f"            case {words}",
            "                return 0",
            "        end",
        ]
    is_body += ["end", "return 1"]
    function(section.fn_is, "status 0 when exit code CODE has name or kind NAME", is_body)
    function(
        section.fn_describe,
        "print one line: code, name, meaning, recovery",
        lookup([(str(arm.code), q(arm.describe)) for arm in section.arms]),
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
