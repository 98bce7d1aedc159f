#!/usr/bin/env bash
# Runs every test: unit tests and integration tests against real servers on loopback ports.
set -euo pipefail
cd "$(dirname "$0")"
dotnet build Gatehouse.slnx -c Release
dotnet test Gatehouse.slnx -c Release --no-build --logger "console;verbosity=normal" "$@"
