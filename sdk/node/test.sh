#!/usr/bin/env bash
# Builds the Node SDK and runs its tests against a real gatehouse server, which the tests start themselves.
# GATEHOUSE_DLL: the built server, relative to sdk/node or absolute
# (default ../../src/Gatehouse.Server/bin/Release/net10.0/gatehouse.dll; build it with
#  `dotnet build src/Gatehouse.Server -c Release` from the repository root).
set -euo pipefail
cd "$(dirname "$0")"

export GATEHOUSE_DLL="${GATEHOUSE_DLL:-../../src/Gatehouse.Server/bin/Release/net10.0/gatehouse.dll}"
if [[ ! -f "$GATEHOUSE_DLL" ]]; then
  echo "gatehouse.dll not found at $GATEHOUSE_DLL (set GATEHOUSE_DLL, or run: dotnet build src/Gatehouse.Server -c Release)" >&2
  exit 1
fi

npm ci --no-audit --no-fund
npm test
# The package packs (npm pack), with its types and without the tests.
npm pack --dry-run --json 2>/dev/null | node -e '
  const [pkg] = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const files = pkg.files.map(f => f.path);
  for (const wanted of ["dist/index.js", "dist/index.d.ts", "README.md"])
    if (!files.includes(wanted)) { console.error(`npm pack: ${wanted} missing`); process.exit(1); }
  if (files.some(f => f.startsWith("test") || f.startsWith("build/"))) { console.error("npm pack: tests packed"); process.exit(1); }
  console.log(`npm pack: ${pkg.filename}, ${files.length} files, ${pkg.size} bytes`);'
