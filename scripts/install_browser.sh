#!/usr/bin/env bash
# The site's browser test needs Debian's Chromium. Install it once (as root, from the
# Debian registry); on a machine where that is not possible, say what to do.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "install_browser: installing Debian's chromium for the site's browser test"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "install_browser: chromium is missing; install it (e.g. sudo apt-get install chromium) to run the browser test" >&2
