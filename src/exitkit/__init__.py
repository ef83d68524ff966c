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
    import os

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


def load(name_or_path: str | os.PathLike[str]) -> Contract:
    """Load a contract by name (searching ``$EXITKIT_PATH``, ``.exitkit/``, the user config
    directory, then the built-ins) or by file path (a ``str``, or a ``pathlib.Path``, which is
    always a path). Raises :class:`ExitkitError`; :class:`TypeError` for anything else."""
    import os

    if isinstance(name_or_path, os.PathLike):
        from exitkit.contracts.loader import load_file

        return load_file(os.fspath(name_or_path))
    if not isinstance(name_or_path, str):
        raise TypeError(f"load() takes a contract name or a path, not "
                        f"{type(name_or_path).__name__} {name_or_path!r}")
    from exitkit.contracts.loader import load as _load

    return _load(name_or_path)


def explain(code: int | str, contract: Contract | str | os.PathLike[str] | None = None,
            ) -> Explanation:
    """Explain an exit status (signals decoded), exit name or string error code, read by
    *contract* (a :class:`Contract`, a name or a path: a ``str``, or a ``pathlib.Path``, which is
    always a path, as for :func:`load`) or by the shell's conventions."""
    if isinstance(code, bool) or not isinstance(code, (int, str)):
        raise TypeError(f"explain() takes a status (int) or a name (str), not "
                        f"{type(code).__name__} {code!r}")
    import os

    if isinstance(contract, os.PathLike):
        contract = load(contract)
    if contract is not None and not isinstance(contract, str):
        from exitkit.contracts.model import Contract as _Contract

        if not isinstance(contract, _Contract):
            raise TypeError(f"explain()'s contract is a Contract, a name or a path, not "
                            f"{type(contract).__name__} {contract!r}")
    from exitkit.contracts.explain import explain as _explain

    return _explain(code, contract)
