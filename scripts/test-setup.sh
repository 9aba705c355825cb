#!/usr/bin/env bash
# Installs what the test suite runs against besides npm packages: kcat and Debian's Python Kafka
# clients (confluent-kafka over librdkafka, and kafka-python), used through /usr/bin/python3, and
# Debian's Chromium for the dashboard's browser test (driven by playwright-core; never a download).
# Idempotent; run as root or with sudo. `.ci/run` runs it before `npm test`.
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v kcat >/dev/null || ! /usr/bin/python3 -c 'import kafka, confluent_kafka' 2>/dev/null || [ ! -x /usr/bin/chromium ]; then
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y kcat python3-confluent-kafka python3-kafka chromium
fi

# A missing tool must fail here, not skip tests later.
command -v kcat >/dev/null
/usr/bin/python3 -c 'import kafka, confluent_kafka'
/usr/bin/chromium --version >/dev/null 2>&1
echo "test tools: $(kcat -V | head -n 1); kafka-python and confluent-kafka for /usr/bin/python3; $(/usr/bin/chromium --version 2>/dev/null)"
