"""zsh: the POSIX core with ``\\builtin`` calls and ``emulate -L zsh`` in every function."""

from __future__ import annotations

from exitkit.shells.quote import quote_zsh
from exitkit.shells.sh import Dialect, render_posix

TYPE_CHECKING = False
if TYPE_CHECKING:
    from exitkit.shells.section import Section

ZSH = Dialect(
    "zsh",
    printf="\\builtin printf",
    ret="\\builtin return",
    # `typeset -g` keeps the constants global (and quiet under WARN_CREATE_GLOBAL) when a plugin
    # manager sources this file from inside a function.
    assign="\\builtin typeset -g {}",
    export="\\builtin typeset -gx {}",
    false="\\builtin false",
    # parsed before any function runs `emulate`: text must parse under every option
    quote=quote_zsh,
    # The user's options (KSH_ARRAYS, SH_WORD_SPLIT, NO_UNSET …) must not reach the function bodies.
    preamble="\\builtin emulate -L zsh",
)


def render(section: Section, *, export: bool) -> str:
    """zsh code for one contract."""
    return render_posix(section, ZSH, export=export)
