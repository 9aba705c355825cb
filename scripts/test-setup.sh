#!/usr/bin/env bash
# Installs what the test suite runs against besides npm packages: kcat and Debian's Python Kafka
# clients (confluent-kafka over librdkafka, and kafka-python), used through /usr/bin/python3, and
# Debian's Chromium for the dashboard's browser test (driven by playwright-core; never a download).
# Idempotent; run as root or with sudo. `.ci/run` runs it before `npm test`.
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# openssl makes the throwaway certificates of the TLS tests at test time.
if ! command -v kcat >/dev/null || ! command -v openssl >/dev/null || ! /usr/bin/python3 -c 'import kafka, confluent_kafka' 2>/dev/null || [ ! -x /usr/bin/chromium ]; then
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y kcat openssl python3-confluent-kafka python3-kafka chromium
fi

# librdkafka 2.15, for the KIP-848 (consumer group protocol) tests: @confluentinc/kafka-javascript
# built from source against Debian's -dev libraries (CKJS_LINKING=dynamic: no prebuilt binary, no
# source tarballs downloaded). It lives in its own folder with its own package.json because the
# root `npm ci` must not build it; it is built once (~90 s on two cores) and kept while its
# version is the one wanted.
CKJS_DIR="$(cd "$(dirname "$0")/.." && pwd)/test/compat/librdkafka"
CKJS_VERSION=$(node -p "require('$CKJS_DIR/package.json').dependencies['@confluentinc/kafka-javascript']")
ckjs_installed() {
  node -e "const p=require('$CKJS_DIR/node_modules/@confluentinc/kafka-javascript/package.json'); process.exit(p.version === '$CKJS_VERSION' ? 0 : 1)" 2>/dev/null &&
    node -e "require('$CKJS_DIR/node_modules/@confluentinc/kafka-javascript')" 2>/dev/null
}
if ! ckjs_installed; then
  BUILD_DEPS="zlib1g-dev libssl-dev libzstd-dev libsasl2-dev liblz4-dev libcurl4-openssl-dev g++ make python3"
  if ! dpkg -s $BUILD_DEPS >/dev/null 2>&1; then
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y $BUILD_DEPS
  fi
  (cd "$CKJS_DIR" && CKJS_LINKING=dynamic npm install --no-audit --no-fund --loglevel=error)
fi

# A missing tool must fail here, not skip tests later.
command -v kcat >/dev/null
command -v openssl >/dev/null
/usr/bin/python3 -c 'import kafka, confluent_kafka'
ckjs_installed
/usr/bin/chromium --version >/dev/null 2>&1
echo "test tools: $(kcat -V | head -n 1); kafka-python and confluent-kafka for /usr/bin/python3; $(node -p "require('$CKJS_DIR/node_modules/@confluentinc/kafka-javascript').librdkafkaVersion" 2>/dev/null | sed 's/^/librdkafka /'); $(/usr/bin/chromium --version 2>/dev/null)"
