#!/usr/bin/env bash
# Installs the Debian packages the app needs that a fresh machine may lack: gettext (translations),
# Pango and a CJK font (WeasyPrint PDF reports in Chinese), chromium (browser tests).
# Only what is missing is installed; it needs root (or sudo) only when something is missing.
set -euo pipefail
packages=(gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk chromium)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
((${#missing[@]} == 0)) && exit 0
echo "Installing Debian packages: ${missing[*]}"
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
