#!/usr/bin/env bash
# Starts a PostgreSQL for the tests on 127.0.0.1:5432 with role and database `gatehouse` (password
# `gatehouse`), installing Debian's package first when it is missing. Safe to run again: it only does
# what is not done yet. Progress goes to stderr; stdout is the connection string alone, so
#   export GATEHOUSE_TEST_POSTGRES="$(bash .ci/postgres.sh)"
# Must run as root (CI and the developer machines do).
set -euo pipefail

PORT=5432
say() { echo "postgres.sh: $*" >&2; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  say "installing postgresql (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

# The newest installed server version, e.g. 15.
VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"

if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main"' | grep -q .; then
  say "creating cluster $VERSION/main on port $PORT"
  pg_createcluster "$VERSION" main --port "$PORT" >&2
fi

if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  say "starting cluster $VERSION/main"
  pg_ctlcluster "$VERSION" main start -- -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c max_connections=400" >&2
fi

for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "$PORT" && break
  sleep 0.5
done
pg_isready -h 127.0.0.1 -p "$PORT" >&2

psql_admin() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" -tA "$@"; }

# CREATEDB: the storage tests create and drop a database of their own per test.
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'gatehouse'")" != "1" ]; then
  say "creating role gatehouse"
  psql_admin -c "CREATE ROLE gatehouse LOGIN CREATEDB PASSWORD 'gatehouse'"
else
  psql_admin -c "ALTER ROLE gatehouse LOGIN CREATEDB PASSWORD 'gatehouse'"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'gatehouse'")" != "1" ]; then
  say "creating database gatehouse"
  psql_admin -c "CREATE DATABASE gatehouse OWNER gatehouse"
fi

echo "Host=127.0.0.1;Port=$PORT;Username=gatehouse;Password=gatehouse;Database=gatehouse"
