#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing:
# protobuf-compiler (protoc, for the generated-code freshness test) with libprotobuf-dev (the
# well-known .proto files protoc includes, only recommended by protobuf-compiler), openssl (TLS test certificates)
# and influxdb (influxd 1.x, the real server of the flightsql/influx integration tests).
set -euo pipefail
need=()
command -v protoc >/dev/null 2>&1 || need+=(protobuf-compiler)
[ -f /usr/include/google/protobuf/descriptor.proto ] || [ -f /usr/local/include/google/protobuf/descriptor.proto ] ||
  need+=(libprotobuf-dev)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v influxd >/dev/null 2>&1 || need+=(influxdb)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need these Debian packages: ${need[*]}. Install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
