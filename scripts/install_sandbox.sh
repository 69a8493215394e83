#!/usr/bin/env bash
# bubblewrap (bwrap), the sandbox that `python -m course_lib.grading grade|grade-class` runs learners'
# notebooks in (course_lib/sandbox.py), plus prlimit (util-linux) for its resource limits. Linux only.
# Debian/Ubuntu: installed with apt-get; Fedora/RHEL: dnf; Arch: pacman. Then it checks that bwrap can
# create namespaces here (it needs unprivileged user namespaces, or root).
set -euo pipefail
if ! command -v bwrap >/dev/null 2>&1; then
  if [ "$(uname -s)" != Linux ]; then
    echo "bubblewrap needs Linux: grade inside a Linux VM (WSL2 on Windows, a Linux VM on macOS)" >&2; exit 1
  fi
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  if command -v apt-get >/dev/null 2>&1; then
    $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap util-linux >/dev/null
  elif command -v dnf >/dev/null 2>&1; then
    $SUDO dnf install -y -q bubblewrap util-linux
  elif command -v pacman >/dev/null 2>&1; then
    $SUDO pacman -S --noconfirm --needed bubblewrap util-linux
  else
    echo "no apt-get, dnf or pacman here: install bubblewrap with your package manager" >&2; exit 1
  fi
fi
command -v prlimit >/dev/null 2>&1 || { echo "prlimit (util-linux) is missing" >&2; exit 1; }
if bwrap --unshare-all --ro-bind / / -- true 2>/tmp/bwrap_probe.$$; then
  echo "sandbox: $(bwrap --version) works here"
  rm -f /tmp/bwrap_probe.$$
else
  echo "sandbox: bwrap is installed but cannot create namespaces: $(cat /tmp/bwrap_probe.$$)" >&2
  echo "  enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu 24.04+" >&2
  echo "  kernel.apparmor_restrict_unprivileged_userns=0 / an AppArmor profile for bwrap); see book/instructors.md" >&2
  rm -f /tmp/bwrap_probe.$$; exit 1
fi
