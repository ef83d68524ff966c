#!/usr/bin/env bash
# Install exitkit for the composite action (action.yml), once per job.
#
# exitkit goes into a virtual environment of its own under $RUNNER_TEMP, keyed by the action's
# own directory, so a second use of the same action in the job reuses it. Nothing is added to the
# job's PATH except one directory that holds only an `exitkit` link, so that later steps can run
# `exitkit` and nothing else changes (their python3 and pip stay theirs). The path of the
# executable becomes the step output `exitkit`.
set -euo pipefail

python="${EXITKIT_PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  found=$("$python" -V 2>&1 || echo "no $python")
  echo "::error title=exitkit::exitkit needs Python 3.10 or newer on the runner, found: $found; add actions/setup-python before this step"
  exit 1
fi

key=$(printf '%s' "$GITHUB_ACTION_PATH" | "$python" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:16])')
home="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/exitkit-$key"
venv="$home/venv"
if [ -x "$venv/bin/exitkit" ] && [ -f "$venv/.installed" ]; then
  echo "exitkit: reusing $venv"
else
  start=$(date +%s)
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$GITHUB_ACTION_PATH"
  touch "$venv/.installed"
  echo "exitkit: installed into $venv in $(( $(date +%s) - start ))s"
fi

mkdir -p "$home/bin"
ln -sf "$venv/bin/exitkit" "$home/bin/exitkit"
echo "$home/bin" >> "$GITHUB_PATH"
echo "exitkit=$venv/bin/exitkit" >> "$GITHUB_OUTPUT"
