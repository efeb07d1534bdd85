/**
 * The buffers of a batch against its plan (validate.ts) and its body, before the loader makes
 * views on them (Arrow C++ `ArrayLoader::ReadBuffer` and `ValidateLayout`, arrow-rs
 * `ArrayData::validate` and `validate_nulls`):
 *
 * - `checkRegions`: every buffer inside the body, 8-byte aligned (C++ `ArrayLoader`), and no
 *   two buffers sharing bytes (the body is "buffers written end-to-end"), so that no length
 *   can be backed twice by the same bytes.
 * - `checkBuffers`: every buffer at least as long as its column needs, null counts equal to
 *   the validity bitmap, and the cells that no byte backs (Null columns, structs, fixed-size
 *   lists) bounded by the body's size.
 *
 * O(buffers), plus O(length / 8) for validity bitmaps (32 bits at a time).
 */
import type { BufferRegion } from 'apache-arrow/ipc/metadata/message';
import { batchError, isCount, type BatchPlan, type Need } from './validate';

/** Cells a message may hold that no byte of its body backs (Null columns, structs...). */
export const UNBACKED_CELLS = 1 << 22;
/** Further unbacked cells allowed per byte of body (a Bool column holds 8 rows per byte). */
export const UNBACKED_CELLS_PER_BYTE = 8;

/**
 * Every buffer inside the first `bodyLength` bytes, 8-byte aligned, and no two sharing bytes.
 * Empty buffers are not read, so only their signs matter (C++ `ArrayLoader::GetBuffer`).
 */
export function checkRegions(
  what: string,
  plan: BatchPlan,
  regions: readonly BufferRegion[],
  bodyLength: number,
): void {
  let ordered = true;
  let end = 0;
  for (let i = 0; i < regions.length; i++) {
    const { offset, length } = regions[i]!;
    const path = plan.needs[i]!.path;
    if (!isCount(offset) || !isCount(length)) {
      throw batchError(what, path, `buffer ${i} has offset ${offset} and length ${length}`);
    }
    if (length === 0) continue;
    if (offset % 8 !== 0) throw batchError(what, path, `buffer ${i} starts at ${offset}, not 8-byte aligned`);
    if (offset + length > bodyLength) {
      throw batchError(
        what,
        path,
        `buffer ${i} [${offset}, +${length}) runs past the ${bodyLength}-byte body`,
      );
    }
    if (offset < end) ordered = false;
    end = offset + length;
  }
  if (ordered) return;
  // Out of order (allowed) or overlapping (not): sort and look again, O(buffers log buffers).
  const order = regions.map((_, i) => i).filter((i) => regions[i]!.length > 0);
  order.sort((a, b) => regions[a]!.offset - regions[b]!.offset);
  for (let k = 1; k < order.length; k++) {
    const previous = regions[order[k - 1]!]!;
    if (regions[order[k]!]!.offset < previous.offset + previous.length) {
      const i = order[k]!;
      throw batchError(what, plan.needs[i]!.path, `buffer ${i} overlaps buffer ${order[k - 1]}`);
    }
  }
}

/**
 * Every buffer long enough for its column, null counts equal to the bitmaps, and the cells
 * that no bytes back within budget. `buffer(i)` is buffer i as the loader will see it.
 */
export function checkBuffers(what: string, plan: BatchPlan, buffer: (i: number) => Uint8Array): void {
  let total = 0;
  for (let i = 0; i < plan.needs.length; i++) {
    const need = plan.needs[i]!;
    const bytes = buffer(i);
    total += bytes.byteLength;
    if (bytes.byteLength < need.bytes) {
      throw batchError(
        what,
        need.path,
        `${need.role} buffer ${i} has ${bytes.byteLength} bytes, ${need.length} rows need ${need.bytes}`,
      );
    }
    if (need.role === 'validity' && need.length > 0) checkValidity(what, need, i, bytes);
  }
  if (plan.unbacked > UNBACKED_CELLS + UNBACKED_CELLS_PER_BYTE * total) {
    throw batchError(
      what,
      undefined,
      `claims ${plan.unbacked} cells that its ${total}-byte body does not back (at most ${UNBACKED_CELLS} + ${UNBACKED_CELLS_PER_BYTE} per byte)`,
    );
  }
}

/**
 * The bitmap must mark exactly `nullCount` nulls. With no nulls declared the loader ignores the
 * bitmap, so one that is there and marks nulls would turn them into values: refused too.
 */
function checkValidity(what: string, need: Need, i: number, bytes: Uint8Array): void {
  const needed = Math.ceil(need.length / 8);
  if (need.nullCount === -1) {
    // Unknown: apache-arrow counts the bitmap, which must then cover every row.
    if (bytes.byteLength > 0 && bytes.byteLength < needed) {
      throw batchError(
        what,
        need.path,
        `validity buffer ${i} has ${bytes.byteLength} bytes for ${need.length} rows`,
      );
    }
    return;
  }
  if (bytes.byteLength < needed) return; // no nulls and a short bitmap: not read (C++ does the same)
  const valid = countSetBits(bytes, need.length);
  if (valid !== need.length - need.nullCount) {
    throw batchError(
      what,
      need.path,
      `validity buffer ${i} marks ${need.length - valid} nulls, the field node says ${need.nullCount}`,
    );
  }
}

/** Set bits among the first `length` bits of `bytes`: 32-bit words where aligned, SWAR counts. */
export function countSetBits(bytes: Uint8Array, length: number): number {
  const whole = length >> 3;
  let n = 0;
  let i = 0;
  if (bytes.byteOffset % 4 === 0) {
    const words = new Int32Array(bytes.buffer, bytes.byteOffset, whole >> 2);
    for (let w = 0; w < words.length; w++) {
      let v = words[w]!;
      v = v - ((v >>> 1) & 0x55555555);
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      n += Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
    }
    i = words.length * 4;
  }
  for (; i < whole; i++) n += BITS[bytes[i]!]!;
  const rest = length & 7;
  if (rest) n += BITS[bytes[whole]! & ((1 << rest) - 1)]!;
  return n;
}

const BITS = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let x = b; x; x >>= 1) n += x & 1;
  return n;
});
