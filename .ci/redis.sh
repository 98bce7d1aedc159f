#!/usr/bin/env bash
# Starts a throwaway Redis on 127.0.0.1:6379 for the tests, installing Debian's redis-server if missing.
# Idempotent: an already answering Redis is left as it is. Prints the configuration string.
set -euo pipefail
port=${GATEHOUSE_REDIS_PORT:-6379}
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then echo "redis-server is missing; install it (apt-get install redis-server) or run as root" >&2; exit 1; fi
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
fi
if ! redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
    --logfile /tmp/gatehouse-redis-$port.log >&2
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null
echo "127.0.0.1:$port"
