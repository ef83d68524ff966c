#!/usr/bin/env bats
# Teardown steps run exactly as GitHub Actions runs them: `shell: bash` is
# `bash --noprofile --norc -eo pipefail {0}`, a step without `shell:` is `bash -e {0}`.

load test_helper

setup() {
  exitkit_world
}

step() {
  printf '%s\n' "$1" > "$BATS_TEST_TMPDIR/step.sh"
}

@test "teardown with shell: bash treats proxxx's not-found (5) as success" {
  echo_tool proxxx 5
  step 'exitkit run --ok not-found -- proxxx delete 100 --yes'
  run bash --noprofile --norc -eo pipefail "$BATS_TEST_TMPDIR/step.sh"
  assert_success
  assert_output --partial "proxxx delete 100 --yes"
  assert_output --partial "proxxx exited 5 (not-found); tolerated by --ok"
}

@test "teardown treats each tool's own not-found number as success (rune 4, bcdock 5, raid 5)" {
  echo_tool rune 4
  echo_tool bcdock 5
  echo_tool raid 5
  step 'exitkit run --ok not-found -- rune delete svc
exitkit run --ok not-found -- bcdock env delete ci
exitkit run --ok not-found -- raid env switch gone
echo "all torn down"'
  run bash --noprofile --norc -eo pipefail "$BATS_TEST_TMPDIR/step.sh"
  assert_success
  assert_output --partial "rune exited 4 (not-found)"
  assert_output --partial "bcdock exited 5 (not-found)"
  assert_output --partial "raid exited 5 (not-found)"
  assert_output --partial "all torn down"
}

@test "rune's 5 is a conflict, not not-found, so the teardown step fails with 5" {
  echo_tool rune 5
  step 'exitkit run --ok not-found -- rune delete svc
echo "not reached"'
  run bash --noprofile --norc -eo pipefail "$BATS_TEST_TMPDIR/step.sh"
  assert_failure 5
  refute_output --partial "not reached"
}

@test "a real failure still fails a step without shell: (bash -e)" {
  echo_tool proxxx 4
  step 'exitkit run --ok not-found -- proxxx delete 100 --yes
echo "not reached"'
  run bash -e "$BATS_TEST_TMPDIR/step.sh"
  assert_failure 4
  assert_output --partial "proxxx exited 4 (auth)"
  refute_output --partial "not reached"
}

@test "not-found is success under bash -e too" {
  echo_tool proxxx 5
  step 'exitkit run --ok not-found -- proxxx delete 100 --yes
echo "after"'
  run bash -e "$BATS_TEST_TMPDIR/step.sh"
  assert_success
  assert_output --partial "after"
}

@test "in GitHub Actions the step gets outputs and a notice" {
  echo_tool proxxx 5
  export GITHUB_ACTIONS=true GITHUB_OUTPUT="$BATS_TEST_TMPDIR/out" GITHUB_STEP_SUMMARY="$BATS_TEST_TMPDIR/summary"
  : > "$GITHUB_OUTPUT"; : > "$GITHUB_STEP_SUMMARY"
  step 'exitkit run --ok not-found -- proxxx delete 100 --yes'
  run bash --noprofile --norc -eo pipefail "$BATS_TEST_TMPDIR/step.sh"
  assert_success
  assert_output --partial "::notice title=proxxx%3A not-found tolerated::"
  run cat "$GITHUB_OUTPUT"
  assert_line "exit-code=0"
  assert_line "exit-name=not-found"
  assert_line "outcome=tolerated"
}

@test "a timeout in a step exits 124 and the step fails" {
  step 'exitkit run --timeout 0.3s -- sleep 30'
  run bash --noprofile --norc -eo pipefail "$BATS_TEST_TMPDIR/step.sh"
  assert_failure 124
}
