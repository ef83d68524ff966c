"""What exitkit knows about real tools' stderr, for ``lint``'s advice on ``[[outcome]]`` rows:
whose messages are translated, and which tools have their own way to accept "not found".

Sources (docs/contracts.md, "Outcomes from stderr"): git marks its errors for
translation since 2.21; coreutils, shadow and apt print translated text under ``LANGUAGE=de``
even in ``C.UTF-8``; kubectl's ``--ignore-not-found`` (2015), helm uninstall's
``--ignore-not-found`` (3.13.0), ``docker rm -f`` exiting 0 on a missing container (20.10.0),
``podman rm --ignore``, ``rm -f`` and SQL's ``DROP … IF EXISTS``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from exitkit.contracts.model import Contract

#: Commands whose messages follow the locale (gettext), and the project they belong to.
TRANSLATED: dict[str, str] = {
    "git": "git",
    **{name: "GNU coreutils" for name in (
        "rm", "rmdir", "cp", "mv", "ln", "mkdir", "chmod", "chown", "chgrp", "touch", "cat",
        "ls", "stat", "install", "truncate", "readlink", "realpath", "df", "du")},
    **{name: "shadow" for name in (
        "userdel", "groupdel", "useradd", "groupadd", "usermod", "groupmod", "gpasswd",
        "passwd", "chage")},
    **{name: "apt" for name in ("apt", "apt-get", "apt-cache", "apt-mark")},
    "dpkg": "dpkg",
    "grep": "GNU grep",
    "sed": "GNU sed",
    "tar": "GNU tar",
    "make": "GNU make",
    "wget": "GNU wget",
    "find": "GNU findutils",
    "xargs": "GNU findutils",
}

#: (command, outcome kind) → the tool's own way to accept that outcome.
OWN_WAYS: dict[tuple[str, str], str] = {
    ("kubectl", "not-found"): "--ignore-not-found",
    ("helm", "not-found"): "--ignore-not-found",
    ("docker", "not-found"): "rm -f",
    ("podman", "not-found"): "--ignore",
    ("rm", "not-found"): "-f",
    ("psql", "not-found"): "IF EXISTS",
}

#: The subcommands the tool's own way belongs to, where it is not every one (``docker rmi``
#: has ``-f`` too, but it means "force", not "no error if missing").
OWN_WAY_VERBS: dict[str, frozenset[str]] = {
    "kubectl": frozenset({"delete"}),
    "helm": frozenset({"uninstall", "delete", "del", "un"}),
    "docker": frozenset({"rm"}),
    "podman": frozenset({"rm", "rmi", "network", "volume", "pod", "secret"}),
}

_OWN_WAY_NOTES = {
    ("kubectl", "not-found"): "kubectl's --ignore-not-found",
    ("helm", "not-found"): "helm uninstall --ignore-not-found (Helm 3.13.0 and later)",
    ("docker", "not-found"): "docker rm -f, which exits 0 for a missing container (docker "
                             "20.10.0 and later)",
    ("podman", "not-found"): "podman rm --ignore",
    ("rm", "not-found"): "rm -f",
    ("psql", "not-found"): "DROP … IF EXISTS",
}


def own_way(command: str, kind: str) -> str | None:
    """The tool's own way to accept an outcome of *kind*, in words (``kubectl's
    --ignore-not-found``), or None."""
    return _OWN_WAY_NOTES.get((command, kind))


def command_of(contract: Contract) -> str:
    """The command a contract is about: its ``[match]`` command, else its name."""
    return contract.match.command if contract.match is not None else contract.name


def advice(contract: Contract) -> list[tuple[str, str]]:
    """``(field path, message)`` for each outcome row that reads translated text without a pinned
    locale, or that the tool's own option already does without the row saying so."""
    command = command_of(contract)
    found: list[tuple[str, str]] = []
    project = TRANSLATED.get(command)
    for i, row in enumerate(contract.outcomes):
        if project is not None and contract.stderr.locale is None:
            found.append((f"outcome[{i}].pattern",
                          f"{command} prints {project}'s messages in the user's language "
                          "(LANGUAGE, LC_ALL, LC_MESSAGES, LANG): set [stderr] locale = \"C\", "
                          "or match a token no locale changes"))
        way = OWN_WAYS.get((command, row.kind))
        said = " ".join(text for text in (row.meaning, row.when, row.recovery) if text)
        if way is not None and way not in said:
            found.append((f"outcome[{i}]",
                          f"{command} has its own way to accept this: "
                          f"{own_way(command, row.kind)}. Where it suffices it is "
                          "the better tool; say so in this row's recovery (naming it), and "
                          "keep the row for where it is missing or too blunt"))
    return found
