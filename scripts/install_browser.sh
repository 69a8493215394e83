#!/usr/bin/env bash
# Headless Chromium for the rendered-page tests (tests/test_book_pages.py). Debian/Ubuntu only;
# elsewhere install Chromium yourself or set COURSE_SKIP_BROWSER=1 to skip those tests.
set -euo pipefail
for candidate in chromium chromium-browser google-chrome; do
  if command -v "$candidate" >/dev/null 2>&1; then echo "browser: $(command -v "$candidate")"; exit 0; fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  echo "browser: $(command -v chromium)"
elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "No Chromium found and no apt-get here: install Chromium, or export COURSE_SKIP_BROWSER=1" >&2
fi
