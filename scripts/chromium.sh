#!/usr/bin/env bash
# Prints the path of Debian's chromium for the browser tests (Playwright's executable_path: no
# browser download), installing it when absent, with a Chinese font (fonts-wqy-microhei) when the
# system has none, so pages and screenshots show Chinese rather than empty boxes.
# Usage: scripts/chromium.sh
set -euo pipefail
find_chromium() {
  command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null || true
}
has_chinese_font() {
  command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null | head -1)" ]
}
packages=()
[ -z "$(find_chromium)" ] && packages+=(chromium)
has_chinese_font || packages+=(fonts-wqy-microhei)
if [ ${#packages[@]} -gt 0 ]; then
  echo "installing Debian's ${packages[*]}" >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${packages[@]}" >/dev/null
fi
path=$(find_chromium)
if [ -z "$path" ]; then
  echo "chromium is still not on PATH after installing it" >&2
  exit 1
fi
echo "$path"
