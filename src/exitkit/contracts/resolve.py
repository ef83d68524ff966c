"""Which contract reads a command's exit status: the one place that decides it.

``exitkit run``, tab completion, ``exitkit explain`` and the GitHub Action (which calls ``exitkit
run``) all ask :func:`contract_for`. The answer is the explicit contract when there is one;
otherwise the most specific contract whose ``[match]`` covers the command line, then the contract
named like the command — where the command is the first word after any
``VAR=value`` assignments and the transparent wrappers people put in front of a tool
(``env FOO=1 proxxx``, ``sudo -u deploy proxxx``, ``nice -n 5 proxxx``, ``timeout 30 proxxx``).
"""

from __future__ import annotations

import os

from exitkit.errors import ExitkitError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from exitkit.contracts.model import Contract


class Wrapper:
    """A command that runs the rest of its arguments as another command: its options that take a
    value (``-u NAME``), and how many operands stand before the command (``timeout DURATION``)."""

    __slots__ = ("long_values", "operands", "short_values", "subcommand")

    def __init__(self, short_values: str = "", long_values: Sequence[str] = (),
                 operands: int = 0, subcommand: str = "") -> None:
        self.short_values = frozenset(short_values)
        self.long_values = frozenset(long_values)
        self.operands = operands
        #: The word that makes the tool a wrapper (``poetry run``); empty: always one.
        self.subcommand = subcommand


#: The wrappers seen through, with the options of theirs that take a separate value. Options
#: without a value need no entry: any other word starting with ``-`` is skipped as a flag.
WRAPPERS: dict[str, Wrapper] = {
    "env": Wrapper("uCS", ("--unset", "--chdir", "--split-string", "--default-signal",
                           "--ignore-signal", "--block-signal")),
    "command": Wrapper(),
    "exec": Wrapper("a"),
    "nice": Wrapper("n", ("--adjustment",)),
    "ionice": Wrapper("cnp", ("--class", "--classdata", "--pid", "--pgid", "--uid")),
    "nohup": Wrapper(),
    "stdbuf": Wrapper("ioe", ("--input", "--output", "--error")),
    "sudo": Wrapper("CDghpRTUu", ("--close-from", "--chdir", "--group", "--host", "--prompt",
                                  "--chroot", "--command-timeout", "--other-user", "--user")),
    "doas": Wrapper("Cu"),
    "time": Wrapper("fo", ("--format", "--output")),
    "timeout": Wrapper("ks", ("--kill-after", "--signal"), operands=1),
    "chrt": Wrapper("T", ("--sched-runtime", "--sched-period", "--sched-deadline"), operands=1),
    "taskset": Wrapper("", (), operands=1),
    "setsid": Wrapper(),
    "xargs": Wrapper("aEdeIiLlnPs", ("--arg-file", "--delimiter", "--max-args", "--max-procs",
                                     "--max-chars", "--max-lines", "--replace", "--eof")),
    # project runners that run a command in the project's environment, its status unchanged
    "poetry": Wrapper("CP", ("--directory", "--project"), subcommand="run"),
    "uv": Wrapper("pwCPfi", ("--python", "--with", "--with-requirements", "--with-editable",
                             "--project", "--directory", "--env-file", "--extra", "--group",
                             "--package", "--index", "--default-index", "--no-group",
                             "--only-group", "--no-extra", "--index-url", "--extra-index-url",
                             "--find-links", "--python-preference", "--exclude-newer",
                             "--color", "--config-file", "--config-setting", "--cache-dir",
                             "--upgrade-package", "--reinstall-package", "--index-strategy",
                             "--keyring-provider", "--resolution", "--prerelease",
                             "--link-mode", "--refresh-package", "--no-build-package",
                             "--no-binary-package", "--allow-insecure-host"),
                  subcommand="run"),
    "pipenv": Wrapper(subcommand="run"),
    "pdm": Wrapper("p", ("--project",), subcommand="run"),
    "bundle": Wrapper(subcommand="exec"),
}


def command_word(argv: Sequence[str]) -> int | None:
    """The index of the word that names the real command in *argv*, or ``None`` when there is
    none (``env FOO=1`` alone, an empty line)."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if _is_assignment(word):
            i += 1
            continue
        wrapper = WRAPPERS.get(os.path.basename(word))
        if wrapper is None:
            return i
        if wrapper.subcommand:
            # the tool's own options may come first: `poetry -C app run`, `uv -q run`
            at = _after_options(wrapper, argv, i + 1)
            if argv[at:at + 1] != [wrapper.subcommand]:
                return i  # `poetry install`, `uv pip`: the tool itself
            i = at
        i = _after_wrapper(wrapper, argv, i + 1)
    return None


def command_name(argv: Sequence[str]) -> str | None:
    """The basename of the real command in *argv* (see :func:`command_word`)."""
    index = command_word(argv)
    return None if index is None else os.path.basename(argv[index])


def contract_for(argv: Sequence[str], explicit: str | None = None) -> Contract | None:
    """The contract for the command line *argv*: *explicit* (a name or file) when given; else the
    most specific contract on the search path whose ``[match]`` covers the line (more subcommand
    words, then more flags; the first found on the search path among equals); else the contract
    named like the real command, unless its own ``[match]`` leaves this line out; else ``None``.

    Raises :class:`~exitkit.errors.ExitkitError` when the explicit contract cannot be loaded, or
    when the one named like the command exists but is broken (``invalid-contract``, saying so).
    A broken file that could only have matched is left to ``exitkit lint``.
    """
    from exitkit.contracts.search import find

    if explicit is not None:
        from exitkit.contracts.loader import load

        return load(explicit)
    index = command_word(argv)
    if index is None:
        return None
    name = os.path.basename(argv[index])
    words = argv[index + 1:]
    matched = _best_match(name, words)
    if matched is not None:
        return matched
    if not name or find(name) is None:
        return None
    from exitkit.contracts.loader import load

    try:
        contract = load(name)
    except ExitkitError as err:
        from exitkit.text import quoted

        raise ExitkitError(
            "invalid-contract",
            f"contract {quoted(name)}, picked by the command's name: {err.message}",
            hint=f"fix it ({err.hint or 'exitkit lint'}), or name another contract with -c",
        ) from None
    if contract.match is not None and not contract.match.matches(name, words):
        return None
    return contract


def _best_match(command: str, words: Sequence[str]) -> Contract | None:
    """The most specific contract on the search path whose ``[match]`` covers the line."""
    from exitkit.contracts._builtin_index import MATCHES
    from exitkit.contracts.search import BUILTIN, available

    best: Contract | None = None
    best_specificity = (-1, -1)
    seen: set[str] = set()
    for name, where in available():
        if name in seen:
            continue  # shadowed by an earlier one of the same name
        seen.add(name)
        if where == BUILTIN:
            if name not in MATCHES.get(command, ()):  # no table is loaded for the many others
                continue
            from exitkit.contracts.loader import load_builtin

            contract = load_builtin(name)
        else:
            if not _may_match(where):
                continue  # no [match] table: not worth importing tomllib on every run
            from exitkit.contracts.loader import load_file

            try:
                contract = load_file(where)
            except ExitkitError:
                continue
        match = contract.match
        if match is None or not match.matches(command, words):
            continue
        if match.specificity > best_specificity:
            best, best_specificity = contract, match.specificity
    return best


def _may_match(path: str) -> bool:
    """Whether the contract file *path* may have a ``[match]`` table (``[match]`` or ``match =
    {…}`` at a line start), by a look at its bytes: the file is parsed only when it may."""
    import stat

    try:  # never blocks: a FIFO on the search path is no contract (exitkit list says so)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        raw = os.read(fd, 1 << 20)
    except OSError:
        return False
    finally:
        os.close(fd)
    for line in raw.splitlines():
        stripped = line.strip().replace(b" ", b"").replace(b"\t", b"")
        if stripped.startswith((b"[match]", b"match=")):
            return True
    return False


def _is_assignment(word: str) -> bool:
    """``FOO=1``: a shell-style variable assignment before the command."""
    name, sep, _ = word.partition("=")
    return bool(sep) and bool(name) and (name[0].isalpha() or name[0] == "_") and all(
        ch.isalnum() or ch == "_" for ch in name) and name.isascii()


def _after_wrapper(wrapper: Wrapper, argv: Sequence[str], i: int) -> int:
    """The index after *wrapper*'s own options and operands, starting at *i*."""
    i = _after_options(wrapper, argv, i)
    if argv[i:i + 1] == ["--"]:
        i += 1
    return min(i + wrapper.operands, max(i, len(argv)))


def _after_options(wrapper: Wrapper, argv: Sequence[str], i: int) -> int:
    """The index of the first word from *i* on that is not one of *wrapper*'s options (nor an
    option's value): an operand, ``--``, or the end."""
    while i < len(argv):
        word = argv[i]
        if word == "--":
            break
        if word.startswith("--") and len(word) > 2:
            name = word.partition("=")[0]
            i += 2 if name in wrapper.long_values and "=" not in word else 1
            continue
        if word.startswith("-") and len(word) > 1:
            # -u NAME, -uNAME, or a bundle of flags ending in one that takes a value (-iu NAME)
            letters = word[1:]
            takes = next((k for k, ch in enumerate(letters) if ch in wrapper.short_values), None)
            i += 2 if takes is not None and takes == len(letters) - 1 else 1
            continue
        break
    return i
