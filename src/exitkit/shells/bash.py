"""bash, 3.2 (macOS) and later: the POSIX core with ``\\builtin`` calls.

Nothing here needs more than bash 3.2: no ``declare -A``, ``${x,,}``, ``mapfile``, ``declare -g``,
``local -n``, ``[[ -v ]]`` or ``;&``.
"""

from __future__ import annotations

from exitkit.shells.sh import Dialect, render_posix

TYPE_CHECKING = False
if TYPE_CHECKING:
    from exitkit.shells.section import Section

BASH = Dialect(
    "bash",
    # The backslash skips aliases (under expand_aliases); `builtin` skips functions named
    # printf or return.
    printf="\\builtin printf",
    ret="\\builtin return",
    assign="{}",
    export="\\builtin export {}",
    false="\\builtin false",
    shellcheck=True,
    shopt="\\builtin shopt",
    local="\\builtin local",
)


def render(section: Section, *, export: bool) -> str:
    """bash code for one contract."""
    return render_posix(section, BASH, export=export)
