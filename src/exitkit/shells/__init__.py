"""Sourceable shell code from contracts: one registry of supported shells, one renderer each.

``SHELLS`` is the single list that the CLI's shell choices, ``make generate``
(``shell/<name>/<contract><extension>``) and the tests read, so adding a shell means adding one
module and one line here.
"""

from __future__ import annotations

from exitkit import __version__
from exitkit.shells import bash, fish, sh, zsh
from exitkit.shells.section import Section
from exitkit.text import quoted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from exitkit.contracts.model import Contract

__all__ = ["EXTENSIONS", "SHELLS", "Renderer", "render"]


class Renderer:
    """One supported shell: its name, the extension of its files in ``shell/``, its layout."""

    __slots__ = ("extension", "fails", "layout", "name")

    def __init__(self, name: str, extension: str, layout: Callable[..., str], fails: str) -> None:
        self.name = name
        self.extension = extension
        #: ``layout(section, *, export) -> str``: the code for one contract.
        self.layout = layout
        #: Code that fails: what ``exitkit shell`` prints when it cannot print the code, so that
        #: ``eval "$(…)"`` (fish: ``| source``) fails too instead of succeeding with nothing.
        self.fails = fails

    def __repr__(self) -> str:
        return f"Renderer({self.name!r}, {self.extension!r})"


#: The supported shells, in the order users see them.
SHELLS: dict[str, Renderer] = {
    "bash": Renderer("bash", ".bash", bash.render, bash.BASH.false),
    "zsh": Renderer("zsh", ".zsh", zsh.render, zsh.ZSH.false),
    "fish": Renderer("fish", ".fish", fish.render, "false"),
    "sh": Renderer("sh", ".sh", sh.render, sh.SH.false),
}

#: ``shell/<name>/<contract><extension>``: the file extension of each shell's generated files.
EXTENSIONS: dict[str, str] = {name: shell.extension for name, shell in SHELLS.items()}


def render(
    shell: str,
    contracts: Sequence[Contract],
    *,
    export: bool = False,
    prefix: str | None = None,
    generator_version: str | None = None,
) -> str:
    """Sourceable *shell* code for *contracts*: one self-contained section per contract.

    *export* exports the constants; *prefix* replaces the contract's constant prefix (one contract
    only); *generator_version* defaults to exitkit's own. Same input, same bytes; a contract given
    twice is rendered once. Raises ValueError for an unknown shell, a prefix with several
    contracts, two contracts that would define the same name, or a contract that cannot be
    rendered safely (see :class:`~exitkit.shells.section.Section`).
    """
    renderer = SHELLS.get(shell)
    if renderer is None:
        raise ValueError(f"unknown shell {quoted(shell)}; choose one of {', '.join(SHELLS)}")
    if prefix is not None and len(contracts) != 1:
        raise ValueError("a prefix applies to exactly one contract")
    version = __version__ if generator_version is None else generator_version
    unique: dict[str, Contract] = {}
    for contract in contracts:
        same = unique.setdefault(contract.name, contract)
        if same.to_dict() != contract.to_dict():
            raise ValueError(f"two different contracts are named {quoted(contract.name)}")
    sections = [Section(c, prefix=prefix, generator_version=version) for c in unique.values()]
    owner: dict[str, str] = {}
    for section in sections:
        for name in section.defines:
            first = owner.setdefault(name, section.contract)
            if first != section.contract:
                raise ValueError(f"contracts {quoted(first)} and {quoted(section.contract)} "
                                 f"would both define {name}; give one of them another prefix")
    return "\n".join(renderer.layout(section, export=export) for section in sections)
