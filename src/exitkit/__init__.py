"""exitkit: exit-code contracts as data.

>>> import exitkit
>>> proxxx = exitkit.load("proxxx")
>>> proxxx[5].name               # proxxx.lookup(5) is the form that gives None instead
'not-found'
>>> proxxx["not-found"].code
5
>>> print(exitkit.explain(137))
137: killed by signal 9 (SIGKILL)

Importing the package runs nothing: the ``exitkit`` console script starts here, and ``exitkit run``
must hold its signals before any other line of code (see ``exitkit._entry``).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "KINDS",
    "Contract",
    "ErrorCode",
    "ExitCode",
    "ExitkitError",
    "UnknownExit",
    "__version__",
    "explain",
    "load",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from exitkit.contracts.explain import Explanation
    from exitkit.contracts.model import KINDS, Contract, ErrorCode, ExitCode, UnknownExit
    from exitkit.errors import ExitkitError


def __getattr__(name: str) -> object:
    """The public classes, imported when first asked for."""
    if name in ("KINDS", "Contract", "ErrorCode", "ExitCode", "UnknownExit"):
        from exitkit.contracts import model

        return getattr(model, name)
    if name == "ExitkitError":
        from exitkit.errors import ExitkitError

        return ExitkitError
    raise AttributeError(f"module 'exitkit' has no attribute {name!r}")


def load(name_or_path: str) -> Contract:
    """Load a contract by name (searching ``$EXITKIT_PATH``, ``.exitkit/``, the user config
    directory, then the built-ins) or by file path. Raises :class:`ExitkitError`."""
    from exitkit.contracts.loader import load as _load

    return _load(name_or_path)


def explain(code: int | str, contract: Contract | str | None = None) -> Explanation:
    """Explain an exit status (signals decoded), exit name or string error code."""
    from exitkit.contracts.explain import explain as _explain

    return _explain(code, contract)
