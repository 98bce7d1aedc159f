#!/usr/bin/env bash
# Runs every test: unit tests, integration tests against real server processes on loopback, the page tests in
# Debian's Chromium, the PostgreSQL store and scale-out tests, the libraries' tests and the Node and PHP SDKs'
# tests. Starts (installing when missing, as root) PostgreSQL, Redis, Chromium and PHP, then runs the server
# integration suites a second time with every server on PostgreSQL. Extra arguments go to every `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")"

export GATEHOUSE_TEST_POSTGRES="${GATEHOUSE_TEST_POSTGRES:-$(bash .ci/postgres.sh)}"
export GATEHOUSE_TEST_REDIS="${GATEHOUSE_TEST_REDIS:-$(bash .ci/redis.sh)}"
bash .ci/tools.sh

dotnet build Gatehouse.slnx -c Release

echo "== all test projects (servers on SQLite; storage and scale-out tests on PostgreSQL + Redis; pages in Chromium)"
dotnet test Gatehouse.slnx -c Release --no-build "$@"

echo "== server integration suites again, every server on PostgreSQL"
GATEHOUSE_TEST_STORAGE=postgres dotnet test tests/Gatehouse.Server.Tests -c Release --no-build \
  --filter "FullyQualifiedName~.Integration.&FullyQualifiedName!~.ScaleOut." "$@"

export GATEHOUSE_DLL="$PWD/src/Gatehouse.Server/bin/Release/net10.0/gatehouse.dll"
echo "== Node.js SDK (node --test, against real servers)"
bash sdk/node/test.sh
echo "== PHP SDK (phpunit, against real servers)"
bash sdk/php/test.sh
