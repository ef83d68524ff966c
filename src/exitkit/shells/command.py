"""``exitkit shell``: sourceable code for the calling shell, detected or named.

This runs in every new shell that does ``eval "$(exitkit shell …)"``: it imports the renderers and
the contracts it needs, and nothing else.
"""

from __future__ import annotations

import os

from exitkit.errors import ExitkitError
from exitkit.text import quoted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from exitkit.contracts.model import Contract


def shell_names() -> tuple[str, ...]:
    from exitkit.shells import SHELLS

    return tuple(SHELLS)


def detect_shell() -> str:
    """The calling shell if exitkit supports it: shellingham first, then ``$SHELL``."""
    supported = shell_names()
    try:
        import shellingham  # type: ignore[import-untyped]  # ships no type information

        name = str(shellingham.detect_shell()[0])
    except Exception:  # shellingham raises its own ShellDetectionFailure, or OSError on odd systems
        name = ""
    candidates = [name, os.path.basename(os.environ.get("SHELL", ""))]
    for candidate in candidates:
        if candidate in supported:
            return candidate
        if candidate in ("dash", "ash", "busybox"):
            return "sh"
    raise ExitkitError(
        "usage",
        "cannot tell which shell to generate code for"
        + (f" (detected {quoted(name)}, not supported)" if name else ""),
        hint="name one: exitkit shell {" + ",".join(supported) + "} [CONTRACT…]",
    )


def generate(
    words: list[str], *, export: bool = False, prefix: str | None = None
) -> str:
    """The code for ``exitkit shell [SHELL] [CONTRACT…]``: everything loaded before anything is
    rendered, so a missing contract prints nothing at all."""
    from exitkit.contracts.loader import load
    from exitkit.shells import render

    shell = words[0] if words and words[0] in shell_names() else None
    names = words[1:] if shell is not None else list(words)
    if shell is None:
        shell = detect_shell()
    if not names:
        names = ["shell"]
    if prefix is not None and len(names) > 1:
        raise ExitkitError("usage", "--prefix applies to one contract; several were given")
    contracts: list[Contract] = [load(name) for name in names]
    try:
        return render(shell, contracts, export=export, prefix=prefix)
    except ValueError as exc:
        raise ExitkitError("usage", str(exc)) from None
