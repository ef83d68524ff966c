"""The command line as data: every command, option and argument, described once.

This table is the single source of what exitkit accepts. The parser (:mod:`exitkit.cli.parse`),
the help texts and the man page (:mod:`exitkit.cli.help`), tab completion
(:mod:`exitkit.cli.complete`) and the tests all read it, so an option added here is parsed,
documented and completed, and one not added here exists nowhere.

What a command, an option and an argument are is the parser's (:mod:`exitkit.cli.parse`).
``exitkit run``'s entry is declared with the command itself (:data:`exitkit.run.command.COMMAND`)
and listed here like the others: ``exitkit run`` wraps every CI step, and parses its command line
without loading this table.

It is plain data on every start-up path: no imports beyond the standard library's core.
"""

from __future__ import annotations

from exitkit.cli.parse import HELP, Argument, Command, Option
from exitkit.run.command import COMMAND as RUN

JSON = Option(("--json",), "json", "Print JSON; errors too, as one JSON object on stderr.")
VERSION = Option(("--version",), "version", "Print exitkit's version and exit.")

SCAN_STATUS = """\
Exit status:
  0 nothing found; 1 findings, or a file could not be scanned; 2 usage error,
  or tree-sitter is not installed."""

COMMANDS: tuple[Command, ...] = (
    Command(
        "list", "List the contracts exitkit can find, and where",
        "Every contract on the search path with its version, where it was found and its summary. "
        "The search order is $EXITKIT_PATH, ./.exitkit/, $XDG_CONFIG_HOME/exitkit/contracts, then "
        "the built-ins; a name found twice is shadowed by the first, and an unusable file is "
        "marked INVALID with its first problem.",
        options=(JSON,),
        examples=("exitkit list", "exitkit list --json"),
    ),
    Command(
        "show", "Show one contract as a table, Markdown, JSON, TOML or a Python enum",
        "Render CONTRACT for the terminal (table), as a documentation section like the tools' own "
        "exit-code pages (markdown), as data (json, toml), or as a typed Python module with an "
        "IntEnum of its codes for a CLI to exit with (python).",
        options=(
            Option(("-f", "--format"), "format",
                   "table, markdown, json, toml or python (default: table).",
                   value="format"),
            JSON,
        ),
        arguments=(Argument("contract", "CONTRACT", "A contract name or a TOML file.",
                            value="contract"),),
        examples=("exitkit show proxxx", "exitkit show proxxx --format markdown >> docs/exit.md",
                  "exitkit show proxxx --format python > proxxx_exit.py"),
    ),
    Command(
        "explain", "Say what an exit status, exit name or error code means",
        "Without -c: the shell's conventions and signal deaths (137 means killed by signal 9, "
        "SIGKILL; KILL, sigkill or SIGKILL name the same status). With -c, or a command after "
        "--: the contract's entry, then the shell's reading of the same number; a code the "
        "contract does not define is an error (status 3).",
        options=(
            Option(("-c", "--contract"), "contract", "The contract whose table to use.",
                   value="contract", metavar="CONTRACT"),
            JSON,
        ),
        arguments=(
            Argument("code", "CODE|NAME|ERROR", "An exit status, an exit name, a signal name, "
                     "or a string error code of the contract.", value="code"),
            Argument("argv", "[-- CMD [ARG...]]", "A command line: its contract is the one "
                     "'exitkit run' would pick for it.", value="command", count="*"),
        ),
        examples=("exitkit explain 137", "exitkit explain TERM", "exitkit explain -c proxxx 5",
                  "exitkit explain -c raid REPO_NOT_CLONED",
                  "exitkit explain 2 -- terraform plan -detailed-exitcode"),
    ),
    Command(
        "lint", "Check contract files",
        "Check each FILE: TOML syntax (with line and column), required fields, codes 0..255, "
        "duplicate codes or names, kebab-case names, known kinds, unknown keys, and constants a "
        "shell would treat specially. Every problem is printed with its file and field path "
        "(exit[3].code). Exits 1 when a file has an error, or with --strict a warning.",
        options=(
            Option(("--strict",), "strict", "Fail on warnings too."),
            JSON,
        ),
        arguments=(Argument("files", "FILE...", "Contract files to check.", value="file",
                            count="*"),),
        examples=("exitkit lint .exitkit/mytool.toml", "exitkit lint --strict .exitkit/*.toml"),
    ),
    Command(
        "shell", "Print sourceable shell code: constants and lookup functions",
        "Print code for bash, zsh, fish or POSIX sh (default: the shell that runs exitkit) that "
        "defines a constant per exit code of each CONTRACT (default: the shell's own conventions) "
        "and the functions NAME_exit_name, _kind, _is and _describe.",
        options=(
            Option(("--export",), "export", "Export the constants to child processes."),
            Option(("--prefix",), "prefix", "Constant prefix instead of the contract's (one "
                   "contract only).", value="value", metavar="PREFIX"),
        ),
        arguments=(Argument("words", "[SHELL] [CONTRACT...]", "bash, zsh, fish or sh, then "
                            "contract names or files.", value="shell-or-contract", count="*"),),
        examples=('eval "$(exitkit shell bash proxxx)"', "exitkit shell fish proxxx | source",
                  "exitkit shell sh proxxx > vendor/proxxx.sh"),
    ),
    RUN,
    Command(
        "diff", "Check that a contract's version bump covers its changes",
        "Compare OLD with NEW (contract names or files), or with --git the FILE committed at REV "
        "with the working FILE. An added code is minor; a removed, renumbered, renamed or "
        "re-kinded code, a flipped retryable, a remapped error code or a new prefix is major; "
        "reworded text is patch. While OLD is 0.x a minor bump may break. Exits 1 when the bump "
        "is too small or a downgrade.",
        options=(
            Option(("--git",), "git", "Compare FILE as committed at REV with the working FILE.",
                   value="value", metavar="REV"),
            JSON,
        ),
        arguments=(
            Argument("old", "OLD|FILE", "The old contract (with --git: the working FILE).",
                     value="contract"),
            Argument("new", "[NEW]", "The new contract.", value="contract", count="?"),
        ),
        examples=("exitkit diff old/mytool.toml .exitkit/mytool.toml",
                  "exitkit diff --git origin/main .exitkit/mytool.toml"),
    ),
    Command(
        "import", "Draft a contract from a tool's man page or exit-code docs",
        "Read SOURCE — a man page (roff, plain or gzipped; man:NAME for the installed one) or a "
        "Markdown or text page — and print a contract: the codes of its EXIT STATUS section, or "
        "of the table or list under a heading about exit codes, with names made from the "
        "meanings, guessed kinds (each marked '# check'), string error codes where the page "
        "maps them to exits, and the source. Review it, then lint it. Exits 3 when the page has "
        "no exit codes.",
        options=(
            Option(("--name",), "name", "The contract's name (default: the man page's or the "
                   "file's name).", value="value", metavar="NAME"),
            Option(("-o", "--output"), "output", "Write the contract to FILE instead of "
                   "standard output (never over an existing file).", value="file",
                   metavar="FILE"),
            Option(("--json",), "json", "Print what was drafted as JSON (the draft itself as "
                   "'draft', unless -o wrote it); errors too, as one JSON object on stderr."),
        ),
        arguments=(Argument("source", "SOURCE", "A man page or Markdown/text file, or "
                            "man:NAME.", value="file"),),
        examples=("exitkit import man:grep",
                  "exitkit import docs/exit-codes.md --name mytool -o .exitkit/mytool.toml",
                  "exitkit import man:rsync --json | jq -r .draft"),
    ),
    Command(
        "scan", "Find hand-written exit-code handling in scripts, Makefiles and workflows",
        "Read shell scripts (a .sh or .bash name, or an sh-family #!), Makefile recipes and "
        "GitHub workflow and action steps under each PATH (default: the current directory, "
        "recursively, honouring .gitignore), and report what exitkit replaces, for every tool "
        "with a contract: magic exit numbers (EK101), '|| true' (EK102), the set +e ... rc=$? "
        "teardown dance (EK103), timeout's 124 checked by hand (EK104), retry loops (EK105) and "
        "continue-on-error steps (EK106), each with its replacement. '# exitkit disable=ID' "
        "before a command, or before a file's first command, switches rules off; a project's "
        ".exitkit.toml excludes paths and rules in its [scan] table. Needs tree-sitter: pip "
        "install 'exitkit[scan]'.",
        options=(
            Option(("-f", "--format"), "format", "text, json, sarif or github (default: text).",
                   value="scan-format", metavar="FORMAT"),
            Option(("--exclude",), "exclude", "Skip paths matching GLOB, or under a directory "
                   "matching it (repeatable).", value="value", metavar="GLOB", repeat=True),
            Option(("--diff",), "diff", "Print the mechanical rewrites (or-true, timeout-124, "
                   "the simple teardown-dance) as a unified diff for git apply or patch -p1, "
                   "to review before applying."),
            Option(("--config",), "config", "Read the project's [scan] settings from FILE "
                   "(default: .exitkit.toml in the first PATH or above, up to the repository's "
                   "root).",
                   value="file", metavar="FILE"),
            Option(("--no-config",), "no_config", "Read no .exitkit.toml."),
            JSON,
        ),
        arguments=(Argument("paths", "[PATH...]", "Files or directories to scan (default: .).",
                            value="file", count="*"),),
        examples=("exitkit scan", "exitkit scan deploy/ .github/workflows/ci.yml",
                  "exitkit scan --format sarif > exitkit.sarif",
                  "exitkit scan --diff > exitkit.patch; git apply exitkit.patch"),
        epilog=SCAN_STATUS,
    ),
    Command(
        "completion", "Print the tab-completion script for bash, zsh or fish",
        "Print the script that completes exitkit's commands, options, contract names, shells, "
        "and the exit names and kinds of --ok and --retry-on.",
        options=(
            Option(("--bind-tab",), "bind_tab", "fish only: also bind TAB, where it completes, so "
                   "that exitkit's completion sees the words after the cursor (fish shows a "
                   "completion only the line up to the cursor's word). Source it in "
                   "config.fish, under 'if status is-interactive'."),
        ),
        arguments=(Argument("shell", "SHELL", "bash, zsh or fish.", value="completion-shell"),),
        examples=('eval "$(exitkit completion bash)"     # in ~/.bashrc',
                  'eval "$(exitkit completion zsh)"      # in ~/.zshrc, after compinit',
                  "exitkit completion fish > ~/.config/fish/completions/exitkit.fish",
                  "exitkit completion fish --bind-tab | source   # config.fish, interactive"),
    ),
)

#: The commands by name, in the order help lists them.
BY_NAME: dict[str, Command] = {command.name: command for command in COMMANDS}

#: What `exitkit` itself says about itself in `exitkit --help`.
SUMMARY = ("Exit-code contracts as data: named constants for shell scripts, an exact-exit-code "
           "wrapper for CI steps, and explanations of what a status means.")
TOP_OPTIONS = (VERSION, HELP)
TOP_EXAMPLES = (
    "exitkit run --ok not-found -- proxxx delete 100 --yes",
    'eval "$(exitkit shell bash proxxx)"',
    "exitkit explain 137",
)
