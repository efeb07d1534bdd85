#!/usr/bin/env bash
# Generates the TypeScript protobuf/gRPC code in src/proto/ from proto/*.proto with ts-proto.
#
#   bash scripts/proto.sh [OUT_DIR]     (npm run proto)
#
# OUT_DIR defaults to src/proto. Its previous contents are replaced wholesale: everything in it is generated.
# The output is deterministic (sorted inputs, no tool-version header), so a freshness test can regenerate
# into a temporary directory and compare byte for byte (test/unit/proto/generated.test.ts).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/src/proto}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
# The output directory is emptied before writing: refuse one that holds anything but generated .ts files.
if [ "$out" = "$root" ] || [ "$out" = "/" ] || [ -n "$(find "$out" -mindepth 1 -type f ! -name '*.ts' -print -quit)" ]; then
  echo "scripts/proto.sh: refusing to overwrite $out: it holds files that are not generated .ts code" >&2
  exit 1
fi

if ! command -v protoc >/dev/null 2>&1; then
  echo "scripts/proto.sh: protoc not found. Install it with: sudo apt-get install -y protobuf-compiler" >&2
  exit 1
fi

plugin="$root/node_modules/.bin/protoc-gen-ts_proto"
if [ ! -x "$plugin" ]; then
  echo "scripts/proto.sh: $plugin not found. Run npm install (ts-proto is a devDependency)." >&2
  exit 1
fi

# The well-known types (google/protobuf/*.proto) ship with protoc; find their include directory.
protoc_bin="$(command -v protoc)"
protoc_real="$(readlink -f "$protoc_bin" 2>/dev/null || echo "$protoc_bin")"
include=""
for dir in "$(dirname "$protoc_real")/../include" "$(dirname "$protoc_bin")/../include" /usr/include /usr/local/include; do
  if [ -f "$dir/google/protobuf/descriptor.proto" ]; then
    include="$(cd "$dir" && pwd)"
    break
  fi
done
if [ -z "$include" ]; then
  echo "scripts/proto.sh: google/protobuf/descriptor.proto not found next to protoc. Install it with: sudo apt-get install -y protobuf-compiler" >&2
  exit 1
fi

opts=(
  esModuleInterop=true
  env=node
  forceLong=bigint
  useOptionals=messages
  oneof=unions-value
  outputServices=grpc-js
  useDate=true
  importSuffix=
  annotateFilesWithVersion=false
)
opt_string="$(IFS=,; echo "${opts[*]}")"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/flightsql-proto.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

cd "$root"
# Sorted inputs, C locale: the output must not depend on the machine. any.proto is listed explicitly because
# Flight SQL commands travel packed in google.protobuf.Any although no .proto file here imports it.
mapfile -t inputs < <(cd proto && LC_ALL=C ls -1 -- *.proto)
protoc \
  --plugin="protoc-gen-ts_proto=$plugin" \
  --ts_proto_out="$tmp" \
  --ts_proto_opt="$opt_string" \
  -I proto \
  -I "$include" \
  google/protobuf/any.proto \
  "${inputs[@]}"

find "$out" -mindepth 1 -delete
cp -R "$tmp"/. "$out"/
echo "scripts/proto.sh: generated $(find "$out" -type f -name '*.ts' | wc -l) files in ${out#"$root"/}" >&2
