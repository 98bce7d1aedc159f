#!/usr/bin/env bash
# Runs the PHP SDK's tests against a real gatehouse server, which the tests start themselves.
#   GATEHOUSE_DLL  the built server (default: ../../src/Gatehouse.Server/bin/Release/net10.0/gatehouse.dll)
# Needs php-cli (8.2+) with curl and openssl, phpunit (Debian's 9.x is fine) and dotnet.
set -euo pipefail
cd "$(dirname "$0")"
export GATEHOUSE_DLL="${GATEHOUSE_DLL:-../../src/Gatehouse.Server/bin/Release/net10.0/gatehouse.dll}"
if [[ ! -f "$GATEHOUSE_DLL" ]]; then
    echo "No server at $GATEHOUSE_DLL: run 'dotnet build src/Gatehouse.Server -c Release' or set GATEHOUSE_DLL." >&2
    exit 1
fi
export GATEHOUSE_DLL="$(cd "$(dirname "$GATEHOUSE_DLL")" && pwd)/$(basename "$GATEHOUSE_DLL")"
exec phpunit --colors=never "$@"
