# Shared setup for the bats suites: every test owns its world (a temp dir, its own HOME and PATH,
# the real `exitkit` on that PATH), as rbenv's and pyenv's suites do.

: "${BATS_LIB_PATH:=/usr/lib/bats}"
bats_load_library bats-support
bats_load_library bats-assert

REPO_ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
# Read once: scrub_environment removes every EXITKIT_* variable from each test's world.
REQUIRED_SHELLS="${EXITKIT_REQUIRE_SHELLS:-}"

# Nothing from the machine's CI job, runner or exitkit configuration reaches a test: a GitHub job's
# output files, a user's contracts, rc files that BASH_ENV or ENV would run.
scrub_environment() {
  local name
  for name in $(compgen -e); do
    case "$name" in
      GITHUB_* | RUNNER_* | ACTIONS_* | EXITKIT_* | XDG_* | CI | BASH_ENV | ENV | CDPATH) unset "$name" ;;
    esac
  done
}

# Where the real console script lives: the caller's PATH first (`make bats` puts .venv/bin there),
# then the repository's virtual environment.
exitkit_bin() {
  command -v exitkit 2>/dev/null && return 0
  [ -x "$REPO_ROOT/.venv/bin/exitkit" ] && echo "$REPO_ROOT/.venv/bin/exitkit"
}

exitkit_world() {
  local bin
  bin="$(exitkit_bin)" || true
  [ -n "$bin" ] || fail "exitkit is not installed: run 'make venv' or put it on PATH"

  scrub_environment
  export HOME="$BATS_TEST_TMPDIR/home"
  export XDG_CONFIG_HOME="$HOME/.config"
  mkdir -p "$HOME" "$BATS_TEST_TMPDIR/bin"
  export LC_ALL=C.UTF-8
  ln -s "$bin" "$BATS_TEST_TMPDIR/bin/exitkit"
  # Homebrew's bin directories too (Intel: /usr/local/bin, Apple silicon: /opt/homebrew/bin),
  # where zsh, fish, dash and shellcheck live on macOS
  export PATH="$BATS_TEST_TMPDIR/bin:/usr/local/bin:/opt/homebrew/bin:/usr/bin:/bin"
  cd "$BATS_TEST_TMPDIR" || return 1
}

# require_shell NAME: NAME is bash, zsh, fish, dash, ash (busybox sh) or shellcheck. A missing one
# skips the test, or fails it when EXITKIT_REQUIRE_SHELLS (comma-separated) names it, as in CI.
require_shell() {
  local name="$1" found=""
  case "$name" in
    ash) command -v busybox >/dev/null && busybox sh -c : 2>/dev/null && found=1 ;;
    *) command -v "$name" >/dev/null && found=1 ;;
  esac
  [ -n "$found" ] && return 0
  case ",$REQUIRED_SHELLS," in
    *",$name,"*) fail "$name is not installed, and EXITKIT_REQUIRE_SHELLS requires it" ;;
  esac
  skip "$name is not installed"
}

# fake_tool NAME STATUS: a CLI on PATH that exits STATUS and prints nothing.
fake_tool() {
  printf '#!/bin/sh\nexit %s\n' "$2" >"$BATS_TEST_TMPDIR/bin/$1"
  chmod +x "$BATS_TEST_TMPDIR/bin/$1"
}

# echo_tool NAME STATUS: the same, printing its name and arguments first (on stdout).
echo_tool() {
  printf '#!/bin/sh\necho "%s $*"\nexit %s\n' "$1" "$2" >"$BATS_TEST_TMPDIR/bin/$1"
  chmod +x "$BATS_TEST_TMPDIR/bin/$1"
}

# Run a script in a strict, rc-free shell of the named kind, as CI steps and scripts run.
# The bash under test: the system's own first (/bin/bash is 3.2 on macOS, which is what users
# there have, even when a Homebrew bash 5 comes first on PATH); EXITKIT_TEST_BASH picks another.
BASH_UNDER_TEST="${EXITKIT_TEST_BASH:-/bin/bash}"
[ -x "$BASH_UNDER_TEST" ] || BASH_UNDER_TEST=bash
strict_bash() {
  run --separate-stderr "$BASH_UNDER_TEST" --noprofile --norc -euo pipefail -c "$1"
}
strict_zsh() { run --separate-stderr zsh -f -euo pipefail -c "$1"; }
strict_dash() { run --separate-stderr dash -eu -c "$1"; }
strict_ash() { run --separate-stderr busybox sh -eu -c "$1"; }
clean_fish() { run --separate-stderr fish --no-config -c "$1"; }
