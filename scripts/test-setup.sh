#!/usr/bin/env bash
# Installs what the test suite runs against besides npm packages: kcat and Debian's Python Kafka
# clients (confluent-kafka over librdkafka, and kafka-python), used through /usr/bin/python3.
# Idempotent; run as root or with sudo. `.ci/run` runs it before `npm test`.
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# openssl makes the throwaway certificates of the TLS tests at test time.
if ! command -v kcat >/dev/null || ! command -v openssl >/dev/null || ! /usr/bin/python3 -c 'import kafka, confluent_kafka' 2>/dev/null; then
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y kcat openssl python3-confluent-kafka python3-kafka
fi

# A missing tool must fail here, not skip tests later.
command -v kcat >/dev/null
command -v openssl >/dev/null
/usr/bin/python3 -c 'import kafka, confluent_kafka'
echo "test tools: $(kcat -V | head -n 1); kafka-python and confluent-kafka for /usr/bin/python3"
