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
# composer.json parses and its PSR-4 root exists (composer itself cannot run offline).
php -r '$c = json_decode(file_get_contents("composer.json"), true, 512, JSON_THROW_ON_ERROR);
  foreach ($c["autoload"]["psr-4"] as $ns => $dir) { if (!is_dir($dir)) { fwrite(STDERR, "composer.json: $dir missing\n"); exit(1); } }
  echo "composer.json: {$c["name"]}, PSR-4 ok\n";'
exec phpunit --colors=never "$@"
