#!/usr/bin/env bash
# Run the action's `run` input under exitkit, exactly like a `shell: bash` step:
# `bash --noprofile --norc -eo pipefail FILE`, the input written to FILE. exitkit names the
# user's command (not bash) and picks its contract from the input's first command line.
# Every step output is set, also when exitkit cannot run at all.
set -uo pipefail
shopt -s execfail  # a failed exec returns here, to report it, instead of ending the script

failed() {  # MESSAGE: exitkit's own failure (125): an annotation, the outputs, a failed step
  # The message holds paths and inputs: %, CR and LF escaped as the runner unescapes them, and
  # every `##[` broken (the runner finds that legacy form anywhere in a line), so that nothing
  # in it can end the annotation or start a workflow command of its own.
  # (Each pattern is a quoted variable: the same in bash 3.2, macOS's, as in bash 5.)
  local message=$1 pct='%' cr=$'\r' lf=$'\n' hashes='##[' broken='#\#['
  message=${message//"$pct"/%25}
  message=${message//"$cr"/%0D}
  message=${message//"$lf"/%0A}
  while [[ $message == *"$hashes"* ]]; do message=${message//"$hashes"/"$broken"}; done
  printf '::error title=exitkit run failed::%s\n' "$message"
  {
    echo "exit-code=125"
    echo "raw-exit-code=125"
    echo "exit-name=run-failed"
    echo "outcome=error"
  } >> "$GITHUB_OUTPUT"
  exit 125
}

exitkit="${EXITKIT_BIN:-}"
if [ -z "$exitkit" ] || [ ! -x "$exitkit" ]; then
  failed "exitkit is not installed: the install step of this action failed (see above)"
fi
if [ -z "${EXITKIT_INPUT_RUN//[[:space:]]/}" ]; then
  failed "the run input is missing or empty, so there is nothing to run (a misspelt 'run:' in 'with:'?)"
fi
workdir="${EXITKIT_INPUT_WORKING_DIRECTORY:-.}"
cd -- "$workdir" 2>/dev/null || failed "working-directory: cannot change to '$workdir'"

# No suffix after the X's: BSD mktemp (macOS runners) replaces trailing X's only.
script=$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/exitkit-run-XXXXXXXX") \
  || failed "cannot create a file for the run input in ${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
printf '%s\n' "$EXITKIT_INPUT_RUN" > "$script" \
  || failed "cannot write the run input to $script (is the disk full?)"

args=(run --ci github --as "$EXITKIT_INPUT_RUN")
[ -n "${EXITKIT_INPUT_OK:-}" ] && args+=(--ok "$EXITKIT_INPUT_OK")
[ -n "${EXITKIT_INPUT_TIMEOUT:-}" ] && args+=(--timeout "$EXITKIT_INPUT_TIMEOUT")
[ -n "${EXITKIT_INPUT_MAX_TIME:-}" ] && args+=(--max-time "$EXITKIT_INPUT_MAX_TIME")
[ -n "${EXITKIT_INPUT_RETRIES:-}" ] && args+=(--retries "$EXITKIT_INPUT_RETRIES")
[ -n "${EXITKIT_INPUT_CONTRACT:-}" ] && args+=(--contract "$EXITKIT_INPUT_CONTRACT")
# The command sees the job's environment, not the action's plumbing.
unset EXITKIT_BIN EXITKIT_INPUT_RUN EXITKIT_INPUT_OK EXITKIT_INPUT_TIMEOUT \
  EXITKIT_INPUT_MAX_TIME EXITKIT_INPUT_RETRIES EXITKIT_INPUT_CONTRACT \
  EXITKIT_INPUT_WORKING_DIRECTORY
# exec: exitkit is the step's process, so the runner's cancel signals reach it directly. With
# execfail, a failed exec comes back here.
# shellcheck disable=SC2093
exec "$exitkit" "${args[@]}" -- bash --noprofile --norc -eo pipefail "$script"
failed "cannot start $exitkit"
