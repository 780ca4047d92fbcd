#!/usr/bin/env bash
# Make sure Debian's chromium (used by the Playwright browser tests through
# executable_path=/usr/bin/chromium) and CJK fonts are installed. Never run
# `playwright install`: it downloads a browser from outside the package mirrors.
set -euo pipefail

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'ok installed' \
    || missing+=(fonts-noto-cjk)
((${#missing[@]})) || exit 0

if ((EUID == 0)); then
    sudo=()
elif command -v sudo >/dev/null; then
    sudo=(sudo)
else
    echo "ensure-chromium: need root or sudo to install: ${missing[*]}" >&2
    echo "ensure-chromium: run: apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "ensure-chromium: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y "${missing[@]}"
