#!/usr/bin/env bash
# Installs what the test suite needs when it is missing:
# - nodejs-polars' native binary: a per-platform npm package (nodejs-polars-linux-x64-gnu...)
#   that npm leaves out on Node 20 because it declares engines node >= 22 (it works on 20);
#   installed without touching package.json or the lock, at nodejs-polars' own version.
# - Debian packages: protobuf-compiler (protoc, for the generated-code freshness test) with
#   libprotobuf-dev (the well-known .proto files protoc includes, only recommended by
#   protobuf-compiler), openssl (TLS test certificates), influxdb (influxd 1.x, the real server
#   of the flightsql/influx integration tests), python3-influxdb and python3-pandas
#   (influxdb-python's DataFrameClient, the reference the DataFrameClient tests compare with),
#   bsdutils (util-linux's `script`, the pseudo-terminal of the CLI's terminal tests).
# ENSURE_DEPS_DRY_RUN=1 prints the install commands instead of running them.
set -euo pipefail
cd "$(dirname "$0")/.."

run() {
  if [ "${ENSURE_DEPS_DRY_RUN:-}" = 1 ]; then
    echo "would run: $*"
  else
    "$@"
  fi
}

if [ -f node_modules/nodejs-polars/package.json ]; then
  # Prints the platform package when that is what stops nodejs-polars from loading.
  binary=$(node -e "
    try { require('nodejs-polars'); } catch (e) {
      const m = /Cannot find module '(nodejs-polars-[\\w-]+)'/.exec(e.message);
      if (m) console.log(m[1]); else console.error('nodejs-polars does not load: ' + e.message);
    }")
  if [ -n "$binary" ]; then
    version=$(node -p "require('./node_modules/nodejs-polars/package.json').version")
    echo "Installing ${binary}@${version}, nodejs-polars' native binary (npm skips it on Node < 22)" >&2
    run npm install --no-save --no-audit --no-fund "${binary}@${version}" >&2
  fi
fi

# The Python with influxdb-python and pandas: Debian's, or the first python3 on PATH.
has_python_reference() {
  local python
  for python in /usr/bin/python3 python3; do
    "$python" -c 'import influxdb, pandas' >/dev/null 2>&1 && return 0
  done
  return 1
}

need=()
command -v protoc >/dev/null 2>&1 || need+=(protobuf-compiler)
[ -f /usr/include/google/protobuf/descriptor.proto ] || [ -f /usr/local/include/google/protobuf/descriptor.proto ] ||
  need+=(libprotobuf-dev)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v influxd >/dev/null 2>&1 || need+=(influxdb)
has_python_reference || need+=(python3-influxdb python3-pandas)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need these Debian packages: ${need[*]}. Install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
run apt-get update -qq >/dev/null
run apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
