#!/usr/bin/env bash
# Installs what the browser tests (make test-web) need when it is missing: Debian's Chromium, which
# playwright-core drives (its own browser download cannot be used here), and a font with Chinese
# glyphs, without which the map's labels and the panels would draw as empty boxes.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh family 2>/dev/null)" ]; then
    missing+=(fonts-wqy-microhei)
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "browser: missing ${missing[*]}; install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "browser: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
