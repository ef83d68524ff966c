#!/bin/sh
# Make the shell-test toolchain available: bats (+ bats-assert, bats-support), zsh, fish, dash,
# busybox, ksh93, mksh, yash, posh, shellcheck. Uses apt-get when running as root on Debian/Ubuntu, Homebrew on macOS, and
# falls back to a project-local npm install for bats. Never fails: the tests decide what is
# required (EXITKIT_REQUIRE_SHELLS) and fail or skip accordingly.
set -u
missing=""
for tool in bats zsh fish dash busybox ksh93 mksh yash posh shellcheck; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
have_bats_libs() {
  for dir in /usr/lib/bats /usr/local/lib /usr/lib .tools/node_modules; do
    [ -f "$dir/bats-assert/load.bash" ] && [ -f "$dir/bats-support/load.bash" ] && return 0
  done
  return 1
}
have_bats_libs || missing="$missing bats-libs"
[ -z "$missing" ] && exit 0
echo "exitkit: installing test tools:$missing" >&2
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    bats bats-assert bats-support zsh fish dash busybox ksh mksh yash posh shellcheck \
    >/dev/null 2>&1 \
    || echo "exitkit: apt-get could not install everything" >&2
elif command -v brew >/dev/null 2>&1; then
  brew install bats-core zsh fish dash ksh93 mksh yash shellcheck >/dev/null 2>&1 || true
fi
if ! command -v bats >/dev/null 2>&1 || ! have_bats_libs; then
  if command -v npm >/dev/null 2>&1; then
    mkdir -p .tools
    npm install --silent --prefix .tools bats bats-assert bats-support >/dev/null 2>&1 \
      || echo "exitkit: npm could not install bats" >&2
  fi
fi
exit 0
