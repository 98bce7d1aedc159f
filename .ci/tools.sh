#!/usr/bin/env bash
# Installs, from Debian's packages, what the tests need besides .NET, PostgreSQL and Redis: Chromium for the
# page tests (Playwright cannot download browsers here) and PHP with curl and phpunit for the PHP SDK.
# Node.js (for the Node SDK) comes with the machine. Safe to run again: installs only what is missing.
set -euo pipefail
say() { echo "tools.sh: $*" >&2; }
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v php >/dev/null 2>&1 || missing+=(php-cli)
php -m 2>/dev/null | grep -qi '^curl$' || missing+=(php-curl)
command -v phpunit >/dev/null 2>&1 || missing+=(phpunit)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then say "missing ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root"; exit 1; fi
  say "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${missing[@]}" >&2
fi
command -v node >/dev/null 2>&1 || { say "node is missing (Node.js 20 is needed for the Node SDK's tests)"; exit 1; }
