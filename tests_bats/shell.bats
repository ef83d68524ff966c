#!/usr/bin/env bats
# `exitkit shell` as a user meets it: eval its output (or source a file from shell/) in the real
# shells, in strict mode, and branch on exit codes by name.

bats_require_minimum_version 1.5.0

setup() {
  load test_helper
  exitkit_world
}

# --- bash -------------------------------------------------------------------------------------

@test "exitkit shell bash proxxx defines PROXXX_EXIT_NOT_FOUND=5" {
  strict_bash 'eval "$(exitkit shell bash proxxx)"; echo "$PROXXX_EXIT_NOT_FOUND $PROXXX_EXIT_AUTH"'
  assert_success
  assert_output "5 4"
  assert_equal "$stderr" ""
}

@test "sourcing the bash code three times under set -euo pipefail prints nothing" {
  exitkit shell bash proxxx >proxxx.bash
  strict_bash '. ./proxxx.bash; . ./proxxx.bash; . ./proxxx.bash'
  assert_success
  assert_output ""
  assert_equal "$stderr" ""
}

@test "case on proxxx_exit_name picks the not-found arm" {
  fake_tool proxxx 5
  strict_bash '
    eval "$(exitkit shell bash proxxx)"
    rc=0; proxxx vm delete 101 || rc=$?
    case "$(proxxx_exit_name "$rc")" in
      not-found) echo "already gone" ;;
      auth) echo "log in first" ;;
      *) echo "other: $rc" ;;
    esac'
  assert_success
  assert_output "already gone"
}

@test "teardown treats not-found as success with proxxx_exit_is" {
  fake_tool proxxx 5
  strict_bash '
    eval "$(exitkit shell bash proxxx)"
    proxxx vm delete 101 || proxxx_exit_is not-found "$?"
    echo "teardown done"'
  assert_success
  assert_output "teardown done"
}

@test "teardown still fails on an auth error" {
  fake_tool proxxx 4
  strict_bash '
    eval "$(exitkit shell bash proxxx)"
    proxxx vm delete 101 || proxxx_exit_is not-found "$?"
    echo "teardown done"'
  assert_failure 1
  assert_output ""
}

@test "proxxx_exit_is matches a kind: 7 is transient, worth a retry" {
  strict_bash 'eval "$(exitkit shell bash proxxx)"; proxxx_exit_is transient 7 && echo retry'
  assert_success
  assert_output "retry"
}

@test "proxxx_exit_name prints nothing and returns 1 for an unknown code" {
  strict_bash 'eval "$(exitkit shell bash proxxx)"; proxxx_exit_name 99 || echo "status $?"'
  assert_success
  assert_output "status 1"
}

@test "proxxx_exit_describe 5 prints code, name, meaning and recovery on one line" {
  strict_bash 'eval "$(exitkit shell bash proxxx)"; proxxx_exit_describe 5'
  assert_success
  assert_output "5 not-found: Resource not found (recovery: Already gone: idempotent OK on teardown)"
}

@test "raid_error_exit REPO_NOT_CLONED prints 5" {
  strict_bash 'eval "$(exitkit shell bash raid)"; raid_error_exit REPO_NOT_CLONED'
  assert_success
  assert_output "5"
}

@test "raid_error_exit prints nothing and returns 1 for an unknown error code" {
  strict_bash 'eval "$(exitkit shell bash raid)"; raid_error_exit NO_SUCH_CODE || echo "status $?"'
  assert_success
  assert_output "status 1"
}

@test "the shell contract tells a timeout's 124 from a SIGKILL's 137" {
  strict_bash '
    eval "$(exitkit shell bash shell)"
    echo "$EXIT_TIMEOUT $EXIT_SIGKILL"
    rc=0; exitkit run -q --timeout 0.1 -- sleep 5 || rc=$?
    shell_exit_name "$rc"'
  assert_success
  assert_line --index 0 "124 137"
  assert_line --index 1 "timeout"
}

@test "sysexits constants use the EX prefix: EX_USAGE is 64" {
  strict_bash 'eval "$(exitkit shell bash sysexits)"; echo "$EX_USAGE $EX_CONFIG"'
  assert_success
  assert_output "64 78"
}

@test "several contracts load side by side from one exitkit shell call" {
  strict_bash '
    eval "$(exitkit shell bash proxxx raid)"
    proxxx_exit_name 7; raid_error_exit REPO_NOT_CLONED'
  assert_success
  assert_output $'cluster-transient\n5'
}

@test "constants reach a child process only with --export" {
  strict_bash '
    eval "$(exitkit shell bash proxxx)"
    bash -c "echo plain:\${PROXXX_EXIT_NOT_FOUND:-unset}"
    eval "$(exitkit shell bash proxxx --export)"
    bash -c "echo exported:\${PROXXX_EXIT_NOT_FOUND:-unset}"'
  assert_success
  assert_output $'plain:unset\nexported:5'
}

@test "--prefix renames the constants" {
  strict_bash 'eval "$(exitkit shell bash proxxx --prefix PX)"; echo "$PX_NOT_FOUND"'
  assert_success
  assert_output "5"
}

@test "the user's aliases and functions named printf, echo and return do not break it" {
  strict_bash '
    shopt -s expand_aliases
    printf() { builtin echo BROKEN; }
    return() { builtin echo BROKEN; }
    alias printf="builtin echo BROKEN" echo="builtin echo BROKEN" return="builtin echo BROKEN"
    eval "$(exitkit shell bash proxxx)"
    proxxx_exit_name 5
    proxxx_exit_name 99 || builtin echo "status $?"'
  assert_success
  assert_output $'not-found\nstatus 1'
}

@test "an unknown contract makes the eval fail, and a strict script stops there" {
  run --separate-stderr exitkit shell bash no-such-tool
  assert_failure
  assert_output '\builtin false'
  [[ "$stderr" == "exitkit: "* ]]
  run bash --noprofile --norc -euo pipefail -c \
    'eval "$(exitkit shell bash no-such-tool 2>/dev/null)"; echo still running'
  assert_failure 1
  assert_output ""
}

# --- zsh --------------------------------------------------------------------------------------

@test "sourcing the zsh code three times under set -euo pipefail prints nothing" {
  require_shell zsh
  exitkit shell zsh proxxx >proxxx.zsh
  strict_zsh '. ./proxxx.zsh; . ./proxxx.zsh; . ./proxxx.zsh'
  assert_success
  assert_output ""
  assert_equal "$stderr" ""
}

@test "zsh case on proxxx_exit_name picks the not-found arm, whatever the user's options" {
  require_shell zsh
  fake_tool proxxx 5
  strict_zsh '
    setopt KSH_ARRAYS SH_WORD_SPLIT RC_QUOTES WARN_CREATE_GLOBAL
    eval "$(exitkit shell zsh proxxx)"
    rc=0; proxxx vm delete 101 || rc=$?
    case "$(proxxx_exit_name "$rc")" in
      not-found) echo "already gone" ;;
      *) echo "other: $rc" ;;
    esac'
  assert_success
  assert_output "already gone"
  assert_equal "$stderr" ""
}

# --- fish -------------------------------------------------------------------------------------

@test "fish switch on proxxx_exit_name works" {
  require_shell fish
  fake_tool proxxx 5
  clean_fish '
    exitkit shell fish proxxx | source
    proxxx vm delete 101
    switch (proxxx_exit_name $status)
      case not-found
        echo "already gone"
      case "*"
        echo other
    end'
  assert_success
  assert_output "already gone"
  assert_equal "$stderr" ""
}

@test "fish: raid_error_exit REPO_NOT_CLONED prints 5 and constants are global, not universal" {
  require_shell fish
  clean_fish '
    exitkit shell fish raid | source
    raid_error_exit REPO_NOT_CLONED
    set -q -U RAID_EXIT_NOT_FOUND; or echo "not universal"
    echo $RAID_EXIT_NOT_FOUND'
  assert_success
  assert_output $'5\nnot universal\n5'
}

@test "fish: --export makes the constants reach a child process" {
  require_shell fish
  clean_fish '
    exitkit shell fish proxxx --export | source
    sh -c "echo \$PROXXX_EXIT_NOT_FOUND"'
  assert_success
  assert_output "5"
}

# --- POSIX sh ---------------------------------------------------------------------------------

@test "dash loads the sh code and proxxx_exit_is works under set -eu" {
  require_shell dash
  fake_tool proxxx 5
  strict_dash '
    eval "$(exitkit shell sh proxxx)"
    proxxx vm delete 101 || proxxx_exit_is not-found "$?"
    echo "teardown done"'
  assert_success
  assert_output "teardown done"
  assert_equal "$stderr" ""
}

@test "busybox sh: raid_error_exit REPO_NOT_CLONED prints 5" {
  require_shell ash
  strict_ash 'eval "$(exitkit shell sh raid)"; raid_error_exit REPO_NOT_CLONED'
  assert_success
  assert_output "5"
}

# --- the vendored files in shell/ -------------------------------------------------------------

@test "every file in shell/ loads silently, three times, in its own shell" {
  local dir="$REPO_ROOT/shell" file count=0
  [ -d "$dir" ] || fail "shell/ is missing: run 'make generate'"
  for file in "$dir"/bash/*.bash; do
    strict_bash ". '$file'; . '$file'; . '$file'"
    assert_success; assert_output ""; assert_equal "$stderr" ""
    count=$((count + 1))
  done
  for file in "$dir"/sh/*.sh; do
    for sh in dash ash; do
      require_shell "$sh"
      "strict_$sh" ". '$file'; . '$file'; . '$file'"
      assert_success; assert_output ""; assert_equal "$stderr" ""
    done
  done
  require_shell zsh
  for file in "$dir"/zsh/*.zsh; do
    strict_zsh ". '$file'; . '$file'; . '$file'"
    assert_success; assert_output ""; assert_equal "$stderr" ""
  done
  require_shell fish
  for file in "$dir"/fish/*.fish; do
    clean_fish "source '$file'; source '$file'; source '$file'"
    assert_success; assert_output ""; assert_equal "$stderr" ""
  done
  [ "$count" -ge 8 ]
}

@test "sourcing shell/bash/proxxx.bash gives the same answers as eval" {
  strict_bash ". '$REPO_ROOT/shell/bash/proxxx.bash'; proxxx_exit_name 5; echo \$PROXXX_EXIT_NOT_FOUND"
  assert_success
  assert_output $'not-found\n5'
}

@test "sourcing shell/sh/raid.sh in dash gives raid_error_exit" {
  require_shell dash
  strict_dash ". '$REPO_ROOT/shell/sh/raid.sh'; raid_error_exit REPO_NOT_CLONED"
  assert_success
  assert_output "5"
}

@test "sourcing shell/fish/proxxx.fish defines the fish functions" {
  require_shell fish
  clean_fish "source '$REPO_ROOT/shell/fish/proxxx.fish'; proxxx_exit_kind 7"
  assert_success
  assert_output "transient"
}

@test "the files in shell/ are exactly what exitkit shell prints" {
  local file shell name ext
  for file in "$REPO_ROOT"/shell/*/*; do
    shell="$(basename "$(dirname "$file")")"
    ext="${file##*.}"
    name="$(basename "$file" ".$ext")"
    exitkit shell "$shell" "$name" >expected
    cmp -s expected "$file" || fail "$file differs from 'exitkit shell $shell $name'; run 'make generate'"
  done
}

@test "shellcheck finds nothing in the bash and sh files" {
  require_shell shellcheck
  run shellcheck -s bash "$REPO_ROOT"/shell/bash/*.bash
  assert_success
  run shellcheck -s sh "$REPO_ROOT"/shell/sh/*.sh
  assert_success
}
