#!/bin/sh
# Fail with one clear line when the Python that would build the virtual environment is too old
# (macOS's /usr/bin/python3 from the Xcode command-line tools is 3.9), instead of a pip error later.
python="${1:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "exitkit: $python not found; exitkit needs Python 3.10 or newer (make PYTHON=/path/to/python3 test)" >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  found=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo unknown)
  echo "exitkit: needs Python 3.10 or newer, but $python is $found; install one (python.org, 'brew install python@3.13', pyenv) and run: make PYTHON=python3.13 test" >&2
  exit 1
fi
