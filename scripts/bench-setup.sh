#!/usr/bin/env bash
# Installs what `npm run bench` compares Samsa against: the Redis and NATS servers (Debian
# packages) and the npm clients of every system (devDependencies: ioredis, nats, kafkajs,
# @platformatic/kafka). Run it once as root (or with sudo) from the repository root:
#
#   bash scripts/bench-setup.sh
#
# The benchmark itself installs nothing; it stops with a message naming this script when a
# server is missing. The Debian services are disabled again after install: the benchmark starts
# its own servers on free loopback ports and stops them when it is done.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v redis-server >/dev/null || ! command -v nats-server >/dev/null; then
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server nats-server
fi
# The Debian package starts a system-wide Redis on port 6379; the benchmark does not use it.
if command -v systemctl >/dev/null && systemctl is-active --quiet redis-server 2>/dev/null; then
  as_root systemctl disable --now redis-server || true
fi

npm install --no-audit --no-fund
redis-server --version
nats-server --version
