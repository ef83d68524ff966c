#!/bin/sh
# Make the shell-test toolchain available: bats (+ bats-assert, bats-support), zsh, fish, dash,
# busybox, ksh93, mksh, yash, posh, shellcheck; and, with apt-get, the real kubectl, gh and aws
# (and openssl) that tests/test_real_tools.py runs against local fake servers. Uses apt-get on
# Debian/Ubuntu (as root, or through sudo where it needs no password), Homebrew on macOS, and a
# project-local npm install for bats where neither has it. Never fails: the tests decide what is
# required (EXITKIT_REQUIRE_SHELLS) and fail or skip accordingly. An attempt that could not
# install everything is remembered (.tools/deps-attempted), so `make test` does not retry it
# every time; delete that file to try again.
set -u
missing=""
for tool in bats zsh fish dash busybox ksh93 mksh yash posh shellcheck kubectl gh aws openssl; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
have_bats_libs() {
  for dir in /usr/lib/bats /usr/local/lib /opt/homebrew/lib /usr/lib .tools/node_modules; do
    [ -f "$dir/bats-assert/load.bash" ] && [ -f "$dir/bats-support/load.bash" ] && return 0
  done
  return 1
}
have_bats_libs || missing="$missing bats-libs"
[ -z "$missing" ] && exit 0
stamp=.tools/deps-attempted
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$missing" ]; then
  echo "exitkit: test tools still missing:$missing (tried before; rm $stamp to try again)" >&2
  exit 0
fi
echo "exitkit: installing test tools:$missing" >&2
sudo=""
[ "$(id -u)" = 0 ] || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && sudo="sudo -n"; }
if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || [ -n "$sudo" ]; }; then
  $sudo apt-get update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    bats bats-assert bats-support zsh fish dash busybox ksh mksh yash posh shellcheck groff-base \
    >/dev/null 2>&1 \
    || echo "exitkit: apt-get could not install everything" >&2
  # The API clients one package at a time, apart from the shells: a release without one of
  # them, or a /usr/bin/kubectl another package owns (Google's apt repository has a kubectl
  # package), must fail alone, not take the whole transaction down with it.
  for pair in kubectl:kubernetes-client gh:gh aws:awscli openssl:openssl; do
    command -v "${pair%%:*}" >/dev/null 2>&1 && continue
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${pair#*:}" >/dev/null 2>&1 \
      || echo "exitkit: apt-get could not install ${pair#*:}" >&2
  done
elif command -v brew >/dev/null 2>&1; then
  # macOS: no busybox or posh in Homebrew; the tests know (EXITKIT_REQUIRE_SHELLS in .ci/run)
  HOMEBREW_NO_AUTO_UPDATE=1 brew install bats-core zsh fish dash ksh93 mksh yash shellcheck \
    >/dev/null 2>&1 || echo "exitkit: brew could not install everything" >&2
fi
if ! command -v bats >/dev/null 2>&1 || ! have_bats_libs; then
  if command -v npm >/dev/null 2>&1; then
    mkdir -p .tools
    npm install --silent --prefix .tools bats bats-assert bats-support >/dev/null 2>&1 \
      || echo "exitkit: npm could not install bats" >&2
  fi
fi
still=""
for tool in $missing; do
  case "$tool" in
    bats-libs) have_bats_libs || still="$still $tool" ;;
    *) command -v "$tool" >/dev/null 2>&1 || still="$still $tool" ;;
  esac
done
mkdir -p .tools
if [ -n "$still" ]; then printf '%s' "$still" > "$stamp"; else rm -f "$stamp"; fi
exit 0
