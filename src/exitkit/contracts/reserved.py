"""Names a generated constant must never take: variables a shell or a program treats specially.

A constant is ``PREFIX_NAME=CODE`` (``--export`` exports it). If PREFIX_NAME is a variable that a
supported shell keeps for itself, sourcing fails (``BASH_VERSINFO``, ``ZSH_SUBSHELL``,
``FISH_VERSION`` are read-only) or the shell changes behaviour (``POSIXLY_CORRECT``,
``PROMPT_COMMAND``); exported, it reaches every child (``BASH_ENV=5`` makes each later bash
source the file ``./5``, ``LD_PRELOAD=5`` breaks every program, ``LC_ALL=5`` every locale). A
contract found in the current directory (``.exitkit/``) is not trusted to choose well, so lint
rejects such a constant and ``exitkit shell`` refuses to print it.

The lists come from the manuals of bash 5.2 (and 5.3), zsh 5.9, fish 3.6, ksh93u+m, mksh R59,
yash 2.52, dash, posh and busybox ash, POSIX (XCU 2.5.3, XBD 8), ld.so(8) and the programs'
own documentation; tests/test_shell_reserved.py checks them against each installed shell's own
list of read-only variables. Every constant holds ``_`` followed by an upper-case letter, so most
classic names (``PATH``, ``IFS``, ``HOME``, ``PS1``) cannot occur; they are listed all the same,
which costs nothing and keeps them out should the naming ever change.
"""

from __future__ import annotations

#: (who treats them specially, the names), one group per source.
_GROUPS: tuple[tuple[str, str], ...] = (
    ("a POSIX shell variable",
     "CDPATH COLUMNS ENV FCEDIT HISTFILE HISTSIZE HOME IFS LANG LC_ALL LC_COLLATE LC_CTYPE "
     "LC_MESSAGES LC_MONETARY LC_NUMERIC LC_TIME LINENO LINES LOGNAME MAIL MAILCHECK MAILPATH "
     "NLSPATH OLDPWD OPTARG OPTIND PATH POSIXLY_CORRECT PPID PS1 PS2 PS3 PS4 PWD SHELL TERM "
     "TMPDIR TZ USER"),
    ("one of bash's own variables",
     "BASH BASHOPTS BASHPID BASH_ALIASES BASH_ARGC BASH_ARGV BASH_ARGV0 BASH_CMDS BASH_COMMAND "
     "BASH_COMPAT BASH_ENV BASH_EXECUTION_STRING BASH_LINENO BASH_LOADABLES_PATH "
     "BASH_MONOSECONDS BASH_REMATCH BASH_SOURCE BASH_SUBSHELL BASH_TRAPSIG BASH_VERSINFO "
     "BASH_VERSION BASH_XTRACEFD CHILD_MAX COMPREPLY COMP_CWORD COMP_KEY COMP_LINE COMP_POINT "
     "COMP_TYPE COMP_WORDBREAKS COMP_WORDS COPROC DIRSTACK EMACS EPOCHREALTIME EPOCHSECONDS "
     "EUID EXECIGNORE FIGNORE FUNCNAME FUNCNEST GLOBIGNORE GLOBSORT GROUPS HISTCMD HISTCONTROL "
     "HISTFILESIZE HISTIGNORE HISTTIMEFORMAT HOSTFILE HOSTNAME HOSTTYPE IGNOREEOF INPUTRC "
     "INSIDE_EMACS MACHTYPE MAPFILE OPTERR OSTYPE PIPESTATUS PROMPT_COMMAND PROMPT_DIRTRIM PS0 "
     "RANDOM READLINE_ARGUMENT READLINE_LINE READLINE_MARK READLINE_POINT REPLY SECONDS "
     "SHELLOPTS SHLVL SRANDOM TIMEFORMAT TMOUT UID"),
    ("one of zsh's own variables",
     "ARGC ARGV0 BAUD CORRECT_IGNORE CORRECT_IGNORE_FILE CPUTYPE DIRSTACKSIZE EGID ERRNO FPATH "
     "GID HISTCHARS HISTORY_IGNORE HOST ISEARCHMATCH_ACTIVE ISEARCHMATCH_END ISEARCHMATCH_START "
     "KEYBOARD_HACK KEYS_QUEUED_COUNT KEYTIMEOUT LISTMAX LOGCHECK MANPATH MODULE_PATH NULLCMD "
     "POSTEDIT PROMPT PROMPT2 PROMPT3 PROMPT4 PROMPT_EOL_MARK PSVAR READNULLCMD REGION_ACTIVE "
     "REPORTMEMORY REPORTTIME RPROMPT RPROMPT2 RPS1 RPS2 SAVEHIST SPROMPT STTY SUFFIX_ACTIVE "
     "SUFFIX_END SUFFIX_START TERMINFO TERMINFO_DIRS TIMEFMT TMPPREFIX TMPSUFFIX "
     "TRY_BLOCK_ERROR TRY_BLOCK_INTERRUPT TTY TTYIDLE UNDO_CHANGE_NO UNDO_LIMIT_NO USERNAME "
     "VENDOR WATCH WATCHFMT WORDCHARS YANK_ACTIVE YANK_END YANK_START ZBEEP ZDOTDIR"),
    ("one of fish's own variables",
     "BROWSER CMD_DURATION COLORTERM TERM_PROGRAM VTE_VERSION"),
    ("one of ksh's own variables",
     "EDITOR EXECSHELL HISTEDIT JOBMAX KSHEGID KSHGID KSHUID PATHSEP PGRP TMPPATH UNIVERSE "
     "VISUAL ERROR_OPTIONS LC_OPTIONS LC_XLITERATE PATH_RESOLVE PROC_OPTIONS SFIO_OPTIONS "
     "SIMPLE_BACKUP_SUFFIX TM_OPTIONS USER_ID VERSION_CONTROL VMALLOC_OPTIONS"),
    ("one of yash's own variables",
     "COMMAND_NOT_FOUND_HANDLER ECHO_STYLE HANDLED HISTRMDUP PS1R PS1S PS2R PS2S PS4S"),
    ("read by the C library or the dynamic loader of every program",
     "GCONV_PATH HOSTALIASES LANGUAGE LC_ADDRESS LC_IDENTIFICATION LC_MEASUREMENT LC_NAME "
     "LC_PAPER LC_TELEPHONE LOCALDOMAIN LOCPATH RES_OPTIONS TZDIR"),
    ("read by common command-line tools",
     "_POSIX2_VERSION BLOCK_SIZE BZIP2 CLICOLOR CLICOLOR_FORCE DF_BLOCK_SIZE DU_BLOCK_SIZE "
     "FORCE_COLOR GREP_COLOR GREP_COLORS GREP_OPTIONS GZIP LESS LESSCLOSE LESSHISTFILE LESSKEY "
     "LESSOPEN LS_BLOCK_SIZE LS_COLORS MAKEFLAGS MAKELEVEL MAKE_TERMERR MAKE_TERMOUT MANOPT "
     "MANPAGER MANWIDTH MAN_KEEP_FORMATTING NCURSES_NO_UTF8_ACS NO_COLOR PAGER QUOTING_STYLE "
     "TABSIZE TAR_OPTIONS TIME_STYLE XZ_DEFAULTS XZ_OPT ZSTD_CLEVEL ZSTD_NBTHREADS "
     "APT_CONFIG DEBIAN_FRONTEND KUBECONFIG KUBE_EDITOR RSYNC_CONNECT_PROG RSYNC_ICONV "
     "RSYNC_PASSWORD RSYNC_PROXY RSYNC_RSH CURL_CA_BUNDLE CURL_HOME CURL_SSL_BACKEND"),
    ("session, security or network plumbing",
     "ALL_PROXY DBUS_SESSION_BUS_ADDRESS DBUS_SYSTEM_BUS_ADDRESS DISPLAY FTP_PROXY GNUPGHOME "
     "GPG_TTY HTTPS_PROXY HTTP_PROXY KRB5CCNAME KRB5_CONFIG KRB5_KTNAME NODE_EXTRA_CA_CERTS "
     "NO_PROXY OPENSSL_CONF OPENSSL_ENGINES OPENSSL_MODULES REQUESTS_CA_BUNDLE SSLKEYLOGFILE "
     "SSL_CERT_DIR SSL_CERT_FILE WAYLAND_DISPLAY XAUTHORITY"),
    ("read by a language runtime or build tool",
     "CC CFLAGS CLASSPATH CPPFLAGS CUDA_VISIBLE_DEVICES CXX CXXFLAGS GEM_HOME GEM_PATH "
     "GO111MODULE GODEBUG GOFLAGS GOMAXPROCS GOPATH GOPROXY GOROOT GOTOOLCHAIN "
     "GOTO_NUM_THREADS HIP_VISIBLE_DEVICES JAVA_HOME JAVA_OPTS JAVA_TOOL_OPTIONS "
     "JDK_JAVA_OPTIONS _JAVA_OPTIONS LDFLAGS MKL_NUM_THREADS NVIDIA_VISIBLE_DEVICES "
     "OPENBLAS_NUM_THREADS PERL5LIB PERL5OPT PERLLIB PERL_DESTRUCT_LEVEL PERL_HASH_SEED "
     "PERL_LOCAL_LIB_ROOT PERL_MB_OPT PERL_MM_OPT PERL_SIGNALS PERL_UNICODE PYTHONBREAKPOINT "
     "PYTHONDEBUG PYTHONDEVMODE PYTHONDONTWRITEBYTECODE PYTHONHASHSEED PYTHONHOME "
     "PYTHONINSPECT PYTHONIOENCODING PYTHONMALLOC PYTHONNOUSERSITE PYTHONOPTIMIZE PYTHONPATH "
     "PYTHONPYCACHEPREFIX PYTHONSAFEPATH PYTHONSTARTUP PYTHONUNBUFFERED PYTHONUSERBASE "
     "PYTHONUTF8 PYTHONVERBOSE PYTHONWARNINGS ROCR_VISIBLE_DEVICES RUBYLIB RUBYOPT "
     "RUSTFLAGS RUST_BACKTRACE RUST_LIB_BACKTRACE RUST_LOG RUST_MIN_STACK VIRTUAL_ENV"),
    ("set or read by systemd for services",
     "CACHE_DIRECTORY CONFIGURATION_DIRECTORY CREDENTIALS_DIRECTORY EXIT_CODE EXIT_STATUS "
     "INVOCATION_ID JOURNAL_STREAM LISTEN_FDNAMES LISTEN_FDS LISTEN_PID LOGS_DIRECTORY "
     "MAINPID MANAGERPID NOTIFY_SOCKET RUNTIME_DIRECTORY SERVICE_RESULT STATE_DIRECTORY "
     "TRIGGER_UNIT WATCHDOG_PID WATCHDOG_USEC"),
    ("read on Windows (Git Bash, MSYS2, Cygwin)",
     "COMSPEC CYGWIN MSYS MSYS2_ARG_CONV_EXCL MSYS2_ENV_CONV_EXCL MSYS2_PATH_TYPE MSYSTEM "
     "MSYS_NO_PATHCONV PATHEXT SYSTEMROOT TEMP TMP"),
)

#: (name prefix, whose namespace): every member is special, or may become so in a release.
_FAMILIES: tuple[tuple[str, str], ...] = (
    ("BASH_", "bash's"), ("COMP_", "bash completion's"), ("READLINE_", "bash's readline"),
    ("ZSH_", "zsh's"), ("ZLE_", "zsh's line editor"), ("ZLS_", "zsh's"), ("ZFTP_", "zsh's"),
    ("ZCURSES_", "zsh's"), ("ZPCRE_", "zsh's"), ("FISH_", "fish's"), ("KSH_", "ksh's"),
    ("YASH_", "yash's"), ("POSH_", "posh's"), ("_AST_", "ksh's libast"),
    ("LC_", "the locale's"), ("LD_", "the dynamic loader's"), ("DYLD_", "macOS dyld's"),
    ("MALLOC_", "malloc's"), ("GLIBC_", "glibc's"), ("GIT_", "git's"), ("SSH_", "OpenSSH's"),
    ("SUDO_", "sudo's"), ("XDG_", "the XDG base directories'"), ("SYSTEMD_", "systemd's"),
    ("PYTHON_", "Python's"), ("PIP_", "pip's"), ("UV_", "uv's"), ("NODE_", "Node.js's"),
    ("NPM_CONFIG_", "npm's"), ("CARGO_", "cargo's"), ("RUSTC_", "rustc's"), ("CGO_", "Go's"),
    ("OMP_", "OpenMP's"), ("KMP_", "OpenMP's"), ("DOCKER_", "docker's"),
    ("COMPOSE_", "docker compose's"), ("AWS_", "the AWS tools'"), ("CLOUDSDK_", "gcloud's"),
    ("TF_", "Terraform's"), ("ANSIBLE_", "Ansible's"), ("HOMEBREW_", "Homebrew's"),
    ("NIX_", "Nix's"), ("GITHUB_", "GitHub Actions'"), ("RUNNER_", "GitHub Actions'"),
    ("ACTIONS_", "GitHub Actions'"), ("CI_", "GitLab CI's"), ("GITLAB_", "GitLab CI's"),
    ("EXITKIT_", "exitkit's"),
)

#: Read-only in a shell: assigning them makes sourcing fail, whatever else they mean.
_READ_ONLY: dict[str, str] = {
    **dict.fromkeys(("BASHOPTS", "BASH_VERSINFO", "SHELLOPTS", "EUID", "UID"), "bash"),
    **dict.fromkeys(("ZSH_EVAL_CONTEXT", "ZSH_SUBSHELL", "ARGC", "HISTCMD", "TTYIDLE",
                     "ZCURSES_COLORS", "ZCURSES_COLOR_PAIRS"), "zsh"),
    "PPID": "bash and zsh",
    "EPOCHSECONDS": "zsh (once zsh/datetime is loaded)",
    "EPOCHREALTIME": "zsh (once zsh/datetime is loaded)",
    "FISH_VERSION": "fish", "SHLVL": "fish",
    "KSH_VERSION": "mksh", "PIPESTATUS": "mksh",
    "POSH_VERSION": "posh",
}

_NAMES: dict[str, str] = {name: who for who, names in _GROUPS for name in names.split()}

#: Every default prefix is ``NAME_EXIT`` (``proxxx`` → ``PROXXX_EXIT_NOT_FOUND``), and no
#: special name holds ``_EXIT_``: such names are checked against the exact names only, so that
#: contracts for git, docker or node keep their ``GIT_EXIT_*``, ``DOCKER_EXIT_*`` constants.
_DEFAULT_SHAPE = "_EXIT_"


def why_reserved(name: str) -> str | None:
    """Why *name* must not be a generated constant, or None when it may be.

    The upper-cased form is checked too: Windows programs read their environment without
    regard to case.
    """
    for candidate in dict.fromkeys((name, name.upper())):
        read_only = _READ_ONLY.get(candidate)
        if read_only is not None:
            return f"{candidate} is read-only in {read_only}"
        who = _NAMES.get(candidate)
        if who is not None:
            return f"{candidate} is {who}"
        if _DEFAULT_SHAPE in candidate:
            continue
        for prefix, whose in _FAMILIES:
            if candidate.startswith(prefix):
                return f"{candidate} is in {whose} namespace ({prefix}*)"
    return None


def reserved_names() -> frozenset[str]:
    """Every name listed exactly (the families aside): for the tests."""
    return frozenset(_NAMES) | frozenset(_READ_ONLY)
