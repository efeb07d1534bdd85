/**
 * Compressed bodies (IPC `BodyCompression`, LZ4_FRAME or ZSTD per buffer), decompressed with
 * the codec the application registered in apache-arrow's `compressionRegistry`; none is
 * registered by default, and then a compressed body is refused with a message that says so.
 *
 * Each buffer is an 8-byte little-endian uncompressed length (-1: stored as is) and the
 * compressed bytes (Arrow C++ `DecompressBuffer`). That length is a claim: before a codec
 * allocates for it, it must not exceed what the column can use (its rows' bytes, or for string
 * data the last offset), and afterwards the codec must have produced exactly that many bytes.
 */
import { compressionRegistry } from 'apache-arrow';
import type { BufferRegion, RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { batchError, type BatchPlan } from './validate';

const LENGTH_PREFIX = 8;
const STORED = -1n;
const CODECS = ['LZ4_FRAME', 'ZSTD'];
/** Rounding allowed above a buffer's need (writers may keep whole 64-byte blocks). */
const SLACK = 64;

/**
 * The buffers of a compressed body, decompressed, in header order. `checkRegions` has put each
 * region inside the body.
 */
export function decompressBody(
  what: string,
  header: RecordBatchHeader,
  body: Uint8Array,
  plan: BatchPlan,
): Uint8Array[] {
  const { type, method } = header.compression!;
  if (!(type in CODECS) || method !== 0) {
    throw batchError(what, undefined, `unknown body compression (codec ${type}, method ${method})`);
  }
  const codec = compressionRegistry.get(type);
  if (!codec?.decode) {
    throw batchError(
      what,
      undefined,
      `the body is compressed with ${CODECS[type]} and no decoder is registered: register one with apache-arrow's compressionRegistry`,
    );
  }
  const pieces: Uint8Array[] = [];
  header.buffers.forEach((region: BufferRegion, i) => {
    const need = plan.needs[i]!;
    if (region.length === 0) {
      pieces.push(new Uint8Array(0));
      return;
    }
    if (region.length < LENGTH_PREFIX) {
      throw batchError(
        what,
        need.path,
        `compressed buffer ${i} is ${region.length} bytes, shorter than its prefix`,
      );
    }
    const bytes = body.subarray(region.offset, region.offset + region.length);
    const claimed = new DataView(bytes.buffer, bytes.byteOffset, LENGTH_PREFIX).getBigInt64(0, true);
    const payload = bytes.subarray(LENGTH_PREFIX);
    if (claimed === STORED) {
      pieces.push(payload);
      return;
    }
    const limit = limitOf(plan, i, pieces);
    if (claimed < 0n || claimed > BigInt(limit)) {
      throw batchError(
        what,
        need.path,
        `compressed buffer ${i} claims ${claimed} bytes, the column uses at most ${limit}`,
      );
    }
    let out: Uint8Array;
    try {
      out = codec.decode!(payload);
    } catch (err) {
      throw batchError(what, need.path, `compressed buffer ${i} does not decompress (${String(err)})`);
    }
    if (BigInt(out.byteLength) !== claimed) {
      throw batchError(
        what,
        need.path,
        `compressed buffer ${i} decompressed to ${out.byteLength} bytes, not ${claimed}`,
      );
    }
    pieces.push(out);
  });
  return pieces;
}

/** The most bytes buffer `i` can usefully hold, from its column's rows or its offsets. */
function limitOf(plan: BatchPlan, i: number, earlier: readonly Uint8Array[]): number {
  const need = plan.needs[i]!;
  switch (need.role) {
    case 'validity':
    case 'unused validity':
      return Math.ceil(need.length / 8) + SLACK;
    case 'data': {
      // String bytes: as far as the last offset, which the buffer before has just given.
      const offsets = plan.needs[i - 1];
      if (offsets?.role !== 'offsets' || offsets.path !== need.path) return 0x7fffffff; // view buffers
      return lastOffset(earlier[i - 1]!, need.length, offsets.bytes / (need.length + 1)) + SLACK;
    }
    default:
      return need.bytes + SLACK;
  }
}

function lastOffset(offsets: Uint8Array, length: number, width: number): number {
  if (length === 0 || offsets.byteLength < (length + 1) * width) return 0;
  const view = new DataView(offsets.buffer, offsets.byteOffset, offsets.byteLength);
  return width === 8 ? Number(view.getBigInt64(length * 8, true)) : view.getInt32(length * 4, true);
}
