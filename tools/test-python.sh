#!/bin/sh
# Run the pytest suite on one more Python: `tools/test-python.sh 3.10 lowest` or `... 3.13 newest`.
#
# The interpreter is `pythonX.Y` from PATH, else pyenv's newest X.Y. Its virtual environment is
# `.venv-pyX.Y`, rebuilt when pyproject.toml or the constraints change. `lowest` installs the lowest
# dependency versions pyproject.toml allows (constraints/lowest.txt), `newest` the newest ones.
# A missing interpreter is reported and skipped on a laptop, and fails under CI=true or
# EXITKIT_REQUIRE_PYTHONS=1, so CI cannot pass without having run it.
set -eu
version="$1"
mode="${2:-newest}"
cd "$(dirname "$0")/.."

find_python() {
  if command -v "python$version" >/dev/null 2>&1 && "python$version" -c 'import sys' 2>/dev/null; then
    command -v "python$version"
    return 0
  fi
  if command -v pyenv >/dev/null 2>&1; then
    root=$(pyenv root)
    for dir in $(ls -d "$root/versions/$version".* 2>/dev/null | sort -t. -k3 -n -r); do
      if [ -x "$dir/bin/python$version" ]; then
        echo "$dir/bin/python$version"
        return 0
      fi
    done
  fi
  return 1
}

if ! python=$(find_python); then
  if [ "${CI:-}" = true ] || [ "${EXITKIT_REQUIRE_PYTHONS:-}" = 1 ]; then
    echo "exitkit: Python $version is not installed, and CI requires the suite to run on it" >&2
    exit 1
  fi
  echo "exitkit: Python $version is not installed: the suite did not run on it (skipped)" >&2
  exit 0
fi

venv=".venv-py$version"
constraints=""
[ "$mode" = lowest ] && constraints="constraints/lowest.txt"
stamp="$venv/.installed-$mode"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] \
   || { [ -n "$constraints" ] && [ "$constraints" -nt "$stamp" ]; }; then
  echo "exitkit: preparing $venv ($("$python" -V 2>&1), $mode dependencies)" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  if [ -n "$constraints" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -c "$constraints" -e '.[test]'
  else
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade -e '.[test]'
  fi
  touch "$stamp"
fi
echo "exitkit: pytest on $("$venv/bin/python" -V 2>&1) with $mode dependencies" >&2
"$venv/bin/python" -m pip list --format=freeze 2>/dev/null | grep -iE '^(shellingham|tomli)==' >&2 || true
PATH="$PWD/$venv/bin:$PATH" EXITKIT_TEST_SECONDARY_PYTHON=1 \
  "$venv/bin/python" -m pytest -q -p no:cacheprovider
