"""Tab completion: the scripts for bash, zsh and fish, and the engine they call.

The scripts are static (``exitkit completion SHELL``, committed in ``share/`` laid out as an
installation prefix, see :data:`INSTALLED`); on every TAB they run ``exitkit __complete SHELL
INDEX WORD…`` with all the words after ``exitkit`` and the index of the one under the cursor
(words after the cursor matter: ``--ok n<TAB> -- proxxx``). The engine answers one candidate per
line, filtered by the current word — or ``:files`` / ``:commands`` to let the shell complete
paths or command names itself. Which options take which values comes from the command table
(:mod:`exitkit.cli.spec`), so nothing can be parsed but not completed.
"""

from __future__ import annotations

from exitkit.cli import spec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from exitkit.cli.parse import Command
    from exitkit.contracts.model import Contract

FILES = ":files"
COMMANDS = ":commands"
COMPLETION_SHELLS = ("bash", "zsh", "fish")
_SIGNALS = ("TERM", "INT", "HUP", "QUIT", "KILL", "USR1", "USR2", "ALRM")
#: Every kind of value the command table may name, and whether the engine offers candidates for
#: it (free-form values, like durations, have none).
VALUE_KINDS = {
    "contract": True, "shell-or-contract": True, "completion-shell": True, "format": True,
    "scan-format": True,
    "signal": True, "file": True, "codes": True, "code": True, "ci": True, "command": True,
    "duration": False, "number": False, "value": False,
}


class Slots:
    """What may stand where, for one command: option name → kind of value (``None`` for a flag),
    the kind of each positional argument, and the kind of any further ones."""

    __slots__ = ("options", "positionals", "rest")

    def __init__(self, command: Command) -> None:
        self.options: dict[str, str | None] = {
            name: option.value for option in command.options for name in option.names
        }
        self.positionals = tuple(a.value for a in command.arguments if a.count != "*")
        rest = [a.value for a in command.arguments if a.count == "*"]
        self.rest = rest[0] if rest else None


def commands() -> dict[str, tuple[str, Slots]]:
    """Every visible command: its summary and its slots, read from the command table."""
    return {c.name: (c.summary, Slots(c)) for c in spec.COMMANDS if not c.hidden}


def _contract_for(words: list[str], cword: int) -> Contract | None:
    """The contract a ``run``/``explain`` line refers to, as ``exitkit run`` would pick it:
    ``-c X`` in any spelling, else the command (which usually stands after the cursor:
    ``exitkit run --ok n<TAB> -- proxxx delete``). The word under the cursor is left out."""
    from exitkit.cli.parse import split_option
    from exitkit.contracts.resolve import contract_for

    command = spec.BY_NAME.get(words[0])
    if command is None:
        return None
    explicit: str | None = None
    argv: list[str] = []
    i = 1
    while i < len(words):
        word = words[i]
        i += 1
        first_word = command.stop_at_argument and not word.startswith("-") and i - 1 != cword
        if word == "--" or first_word:
            start = i if word == "--" else i - 1
            argv = [w for k, w in enumerate(words[start:], start) if k != cword]
            break
        if i - 1 == cword or not word.startswith("-"):
            continue
        name, value = split_option(command, word)
        option = command.option(name)
        if option is None or not option.takes_value:
            continue
        if value is None and i < len(words):
            value = None if i == cword else words[i]
            i += 1
        if option.dest == "contract":
            explicit = value
    try:
        return contract_for(argv, explicit) if (argv or explicit) else None
    except Exception:  # a broken or missing contract: complete nothing rather than fail
        return None


def _values(kind: str, words: list[str], cword: int, current: str) -> list[tuple[str, str]]:
    """Candidates (value, description) of a value type."""
    if kind == "contract":
        if "/" in current or current.startswith("."):
            return [(FILES, "")]
        from exitkit.contracts.loader import available

        seen: dict[str, str] = {}
        for name, where in available():
            seen.setdefault(name, where)
        return sorted(seen.items())
    if kind == "shell-or-contract":
        from exitkit.shells import SHELLS

        return [(s, "shell") for s in SHELLS] + _values("contract", words, cword, current)
    if kind == "completion-shell":
        return [(s, "shell") for s in COMPLETION_SHELLS]
    if kind == "format":
        from exitkit.contracts.render import FORMATS

        return [(f, "format") for f in FORMATS]
    if kind == "scan-format":
        from exitkit.scan.report import FORMATS as SCAN_FORMATS

        return [(f, "format") for f in SCAN_FORMATS]
    if kind == "signal":
        return [(s, "signal") for s in _SIGNALS]
    if kind == "ci":
        from exitkit.run.options import CI_MODES

        return [(mode, "CI integration") for mode in CI_MODES]
    if kind == "file":
        return [(FILES, "")]
    if kind in ("codes", "code"):
        from exitkit.contracts.loader import load_builtin

        contract = _contract_for(words, cword) or load_builtin("shell")
        heard = [(o.name, f"stderr: {o.meaning}") for o in contract.outcomes]
        if kind == "code":  # explain: a name, an outcome or a string error code
            return [(e.name, f"{e.code}: {e.meaning}") for e in contract.exits] + heard + [
                (err.code, err.meaning) for err in contract.errors]
        head, sep, _ = current.rpartition(",")
        lead = head + sep  # --ok auth,not<TAB> completes the last item of a comma list
        names = {e.name for e in contract.exits} | {o.name for o in contract.outcomes}
        out = [(lead + e.name, f"{e.code}: {e.meaning}") for e in contract.exits]
        out += [(lead + name, meaning) for name, meaning in heard]
        kinds = {e.kind for e in contract.exits} | {o.kind for o in contract.outcomes}
        out += [(lead + k, "kind") for k in sorted(kinds - names)]
        return out
    return []


def candidates(words: list[str], cword: int | None = None) -> list[tuple[str, str]]:
    """What may stand at *cword*: *words* are all the words after ``exitkit`` (default: the last
    one is being completed)."""
    if not words:
        words = [""]
    if cword is None or not 0 <= cword < len(words):
        cword = len(words) - 1
    current = words[cword]
    table = commands()
    if cword == 0:
        if current.startswith("-"):
            return [(option.names[-1], option.help) for option in spec.TOP_OPTIONS]
        return [(name, summary) for name, (summary, _) in table.items()]
    if words[0] not in table:
        return []
    cmd = table[words[0]][1]
    before = words[1:cword]
    if words[0] == "run" and "--" in before:
        after = before[before.index("--") + 1:]
        return [(COMMANDS, "")] if not after else [(FILES, "")]
    if before and before[-1] in cmd.options and cmd.options[before[-1]] is not None:
        return _values(str(cmd.options[before[-1]]), words, cword, current)
    name, equals, value = current.partition("=")
    if equals and name.startswith("-") and cmd.options.get(name) is not None:
        # --ok=not<TAB> completes like --ok not<TAB>, keeping the option in each candidate
        found = _values(str(cmd.options[name]), words, cword, value)
        if found and found[0][0] in (FILES, COMMANDS):
            return found  # the script completes the path after the "=" itself
        return [(f"{name}={v}", description) for v, description in found]
    if current.startswith("-"):
        return [(name, "") for name in cmd.options]
    position = _positional_index(cmd, before)
    if position < len(cmd.positionals):
        kind = cmd.positionals[position]
    elif cmd.rest is not None:
        kind = cmd.rest
    else:
        return []
    if kind == "command":
        return [(COMMANDS, "")]
    return _values(kind, words, cword, current)


def _positional_index(cmd: Slots, before: list[str]) -> int:
    count, skip = 0, False
    for word in before:
        if skip:
            skip = False
        elif word.startswith("-"):
            skip = cmd.options.get(word) is not None
        else:
            count += 1
    return count


def rejoin(words: list[str], cword: int) -> tuple[list[str], int, str]:
    """Undo bash's split of ``--ok=not`` at ``=`` (it is in ``COMP_WORDBREAKS``: the words are
    ``--ok``, ``=``, ``not``). Returns the joined words, the cursor's index among them, and the
    part of the word under the cursor that readline keeps (``--ok=``), which replies leave out."""
    joined: list[str] = []
    position, kept = cword, ""
    i = 0
    while i < len(words):
        word = words[i]
        if word == "=" and joined and joined[-1].startswith("-") and i - 1 != cword:
            if i == cword:  # --ok=<TAB>: the word after the cursor is not part of it
                joined[-1] += "="
                position, kept = len(joined) - 1, joined[-1]
                i += 1
                continue
            if i + 1 < len(words):
                if i + 1 == cword:
                    position, kept = len(joined) - 1, joined[-1] + "="
                joined[-1] += "=" + words[i + 1]
                i += 2
                continue
        if i == cword:
            position = len(joined)
        joined.append(word)
        i += 1
    return joined, position, kept


def answer(shell: str, words: list[str], cword: int | None = None) -> str:
    """The engine's reply for *shell*: matching candidates, one per line."""
    if cword is None or not 0 <= cword < len(words):
        cword = len(words) - 1
    kept = ""
    if shell == "bash":
        words, cword, kept = rejoin(words, cword)
    current = words[cword] if words else ""
    lines = []
    for value, description in candidates(words, cword):
        if value in (FILES, COMMANDS):
            return value + "\n"
        if not value.startswith(current):
            continue
        value = value[len(kept):]
        if description:  # a contract's text: control characters shown, never sent to the terminal
            from exitkit.text import escape

            description = escape(description)
        if shell == "zsh":
            lines.append(value.replace("\\", "\\\\").replace(":", "\\:") + ":" + description)
        elif shell == "fish":
            lines.append(f"{value}\t{description}" if description else value)
        else:
            lines.append(value)
    return "".join(line.replace("\n", " ") + "\n" for line in lines)


def main(args: list[str]) -> int:
    """``exitkit __complete SHELL INDEX WORD…``; never fails loudly (a TAB must not print a
    traceback)."""
    from exitkit._status import INTERNAL, SUCCESS
    from exitkit.errors import write_stdout

    shell = args[0] if args else "bash"
    try:
        cword = int(args[1]) if len(args) > 1 else 0
        write_stdout(answer(shell, args[2:] or [""], cword))
    except Exception:
        return INTERNAL
    return SUCCESS


BASH = r"""# bash completion for exitkit. Generated by exitkit; do not edit.
# Load it with:  eval "$(exitkit completion bash)"  or copy it to your bash-completion directory.
_exitkit_add() {
    # Candidates, one per line, as they must stand on the command line: quoted ($1 = 1) unless
    # readline quotes them itself, so that an exit code or a path with a blank, a ";" or a "$"
    # stays one word and runs nothing.
    local line
    while IFS= read -r line; do
        if [[ $1 == 1 && $line == *[!A-Za-z0-9._,:=@+/%-]* ]]; then
            printf -v line '%q' "$line"
        fi
        COMPREPLY+=("$line")
    done
}
_exitkit() {
    local cur line quote=1 i
    local -a lines=()
    cur="${COMP_WORDS[COMP_CWORD]}"
    [[ $cur == = ]] && cur=""  # --report=<TAB>: readline completes what follows the "="
    COMPREPLY=()
    while IFS= read -r line; do
        lines+=("$line")
    done < <(\command exitkit __complete bash "$((COMP_CWORD - 1))" "${COMP_WORDS[@]:1}" \
        2>/dev/null)
    for ((i = 0; i < ${#lines[@]}; i++)); do
        # paths: readline quotes them and marks directories itself (bash 4 and later)
        [[ ${lines[i]} == :files ]] && compopt -o filenames 2>/dev/null && quote=0
    done
    for ((i = 0; i < ${#lines[@]}; i++)); do
        case "${lines[i]}" in
            :files) _exitkit_add "$quote" < <(compgen -f -- "$cur") ;;
            :commands) _exitkit_add "$quote" < <(compgen -c -- "$cur") ;;
            *) _exitkit_add "$quote" <<<"${lines[i]}" ;;
        esac
    done
    return 0
}
complete -o default -F _exitkit exitkit
"""

ZSH = r"""#compdef exitkit
# zsh completion for exitkit. Generated by exitkit; do not edit.
# Put this file on your $fpath as _exitkit, or:  eval "$(exitkit completion zsh)"
_exitkit() {
    local -a replies
    replies=("${(@f)$(\command exitkit __complete zsh $((CURRENT - 2)) "${(@)words[2,-1]}" \
        2>/dev/null)}")
    case "${replies[1]:-}" in
        :files) [[ $PREFIX == -*=* ]] && compset -P '*='; _files ;;
        :commands) _command_names -e ;;
        *) (( ${#replies} )) && [[ -n "${replies[1]}" ]] && _describe -t values exitkit replies ;;
    esac
}
if [[ "${zsh_eval_context[-1]:-}" == loadautofunc ]]; then
    _exitkit "$@"
else
    (( $+functions[compdef] )) && compdef _exitkit exitkit
fi
"""

FISH = r"""# fish completion for exitkit. Generated by exitkit; do not edit.
# Put this file in ~/.config/fish/completions/exitkit.fish, or:  exitkit completion fish | source
# To complete with the words after the cursor too, put in config.fish instead:
#   if status is-interactive; exitkit completion fish --bind-tab | source; end
function __exitkit_complete
    set -l before (commandline -opc)
    set -l current (commandline -ct)
    set -l all (commandline -op)
    # fish cuts the line after the word under the cursor while it completes; TAB as bound by
    # `exitkit completion fish --bind-tab` kept the whole line: use it once, if it is this line
    # and its cursor was in this word
    if set -q __exitkit_tab_cursor
        set -l line (string join \n -- (commandline -b))
        set -l end (string length -- "$line")
        set -l start (math $end - (string length -- "$current"))
        set -l head (string sub -l $end -- "$__exitkit_tab_line")
        if test "x$head" = "x$line"; and test "$__exitkit_tab_cursor" -ge $start 2>/dev/null
            and test "$__exitkit_tab_cursor" -le $end
            set all $__exitkit_tab_words
        end
        set -e __exitkit_tab_cursor __exitkit_tab_line __exitkit_tab_words
    end
    set -l skip (count $before)
    test -n "$current"; and set skip (math $skip + 1)
    set -l after
    test (count $all) -gt $skip; and set after $all[(math $skip + 1)..-1]
    set -l index (math (count $before) - 1)
    set -l words
    test (count $before) -gt 1; and set words $before[2..-1]
    set -l replies (command exitkit __complete fish $index $words $current $after 2>/dev/null)
    switch "$replies[1]"
        case :files
            # --report=FI<TAB>: complete the path after the "=", keeping the option
            set -l token (commandline -ct)
            set -l lead (string match -r -- '^-[^=]*=' $token); or set lead ''
            set -l path (string sub -s (math (string length -- "$lead") + 1) -- $token)
            printf '%s\n' $lead(__fish_complete_path $path)
        case :commands
            complete -C (commandline -ct)
        case '*'
            printf '%s\n' $replies
    end
end
complete -c exitkit -f -a '(__exitkit_complete)'
"""

#: What ``exitkit completion fish --bind-tab`` adds: TAB, where it is fish's own ``complete``,
#: first keeps the whole line of an exitkit command for the completion that follows (fish shows a
#: completion function only the line up to the end of the word under the cursor).
FISH_BIND_TAB = r"""
function __exitkit_tab --description 'Keep the whole line for exitkit, then complete'
    set -l words (commandline -op)
    # only for an exitkit command line, and not while the pager is open (TAB then only moves
    # through it, and no exitkit completion would use the line)
    if string match -qr -- '(^|/)exitkit$' "$words[1]"; and not commandline -P
        set -g __exitkit_tab_line (string join \n -- (commandline -b))
        set -g __exitkit_tab_cursor (commandline -C)
        set -g __exitkit_tab_words $words
    else
        set -e __exitkit_tab_cursor __exitkit_tab_line __exitkit_tab_words
    end
    commandline -f complete
end
# only where TAB is fish's own complete (emacs mode, vi normal and insert): any other binding,
# a mode switch included, stays the user's
for mode in default insert
    set -l now (bind --user -M $mode \t 2>/dev/null)
    set -l fish_s_own '^bind (-M \S+ )?\\\\t (complete|__exitkit_tab)$'
    if test -z "$now"; or string match -qr -- $fish_s_own "$now"
        bind -M $mode \t __exitkit_tab
    end
end
"""

SCRIPTS = {"bash": BASH, "zsh": ZSH, "fish": FISH}
#: Where each shell looks for exitkit's script, under an installation prefix (``/usr``, a virtual
#: environment): the wheel installs them there, and the repository keeps them in ``share/``.
INSTALLED = {"bash": "share/bash-completion/completions/exitkit",
             "zsh": "share/zsh/site-functions/_exitkit",
             "fish": "share/fish/vendor_completions.d/exitkit.fish"}


def script(shell: str) -> str:
    """The completion script for *shell* (bash, zsh or fish)."""
    return SCRIPTS[shell]
