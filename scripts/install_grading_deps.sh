#!/usr/bin/env bash
# What the autograder (autograder/) and its tests need from Debian, installed when missing:
#   bubblewrap   the sandbox that runs students' code (bwrap)
#   postgresql   server binaries, for the tests of a shared PostgreSQL gradebook
#   util-linux   setpriv and runuser (drop to an unprivileged uid; run the test server)
# Idempotent, and fast when everything is present (no apt-get at all). Needs root to install.
set -euo pipefail

need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
{ command -v setpriv && command -v runuser; } >/dev/null 2>&1 || need+=(util-linux)

if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install_grading_deps: missing ${need[*]}; run this script as root (or: sudo apt-get install ${need[*]})" >&2
    exit 1
fi
echo "install_grading_deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts a system-wide cluster after installing postgresql; the tests start their own.
