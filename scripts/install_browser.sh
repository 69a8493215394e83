#!/usr/bin/env bash
# Headless Chromium (and CJK/emoji fonts) for the rendered-page tests (tests/test_book_pages.py,
# tests/test_book_widgets.py). Nothing else in the course needs a browser: the book is plain HTML.
# Debian/Ubuntu only; elsewhere install Chromium yourself (COURSE_CHROMIUM=/path/to/chrome) or set
# COURSE_SKIP_BROWSER=1 to skip those tests. Set COURSE_SKIP_BROWSER=1 before `make setup` to skip this step.
set -euo pipefail
if [ "${COURSE_SKIP_BROWSER:-}" = 1 ]; then
  echo "browser: COURSE_SKIP_BROWSER=1, not installing Chromium (the page checks will be skipped)"; exit 0
fi
PACKAGES="chromium fonts-noto-cjk fonts-noto-color-emoji"
have_browser=""
for candidate in chromium chromium-browser google-chrome; do
  if command -v "$candidate" >/dev/null 2>&1; then have_browser=$(command -v "$candidate"); break; fi
done
have_fonts=""
if command -v fc-list >/dev/null 2>&1 && fc-list | grep -qi "Noto Sans CJK" && fc-list | grep -qi "Noto Color Emoji"; then
  have_fonts=1
fi
if [ -n "$have_browser" ] && { [ -n "$have_fonts" ] || ! command -v apt-get >/dev/null 2>&1; }; then
  echo "browser: $have_browser"; exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "No Chromium found and no apt-get here: install Chromium (or point COURSE_CHROMIUM at Chrome)," >&2
  echo "or export COURSE_SKIP_BROWSER=1 to skip the page checks." >&2
  exit 0
fi
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
echo "browser: installing Debian's $PACKAGES with ${SUDO:-root} apt-get (about 300 MB):"
echo "  headless Chromium opens the built pages with networking off for the page checks, and the fonts"
echo "  let its screenshots show Chinese, Japanese and emoji as a reader sees them."
echo "  Skip with COURSE_SKIP_BROWSER=1 (the page checks are then skipped)."
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PACKAGES >/dev/null
echo "browser: $(command -v chromium)"
