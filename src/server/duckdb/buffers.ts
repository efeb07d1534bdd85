/**
 * Growable output buffers. Builders allocate each buffer once per batch at the size the batch
 * is expected to reach; these only matter when a batch outgrows that.
 */

type Growable = Uint8Array | Int32Array | Int8Array;

/** Room for `need` elements after `have`: doubling keeps repeated growth linear. */
function grownLength(have: number, need: number): number {
  return Math.max(need, have * 2, 64);
}

/** `buf` with room for `need` elements, zero-filled beyond its old contents (for OR-ed bitmaps). */
export function growZeroed<T extends Growable>(buf: T, need: number): T {
  if (buf.length >= need) return buf;
  const next = new (buf.constructor as new (length: number) => T)(grownLength(buf.length, need));
  next.set(buf);
  return next;
}

/**
 * `growZeroed` without zero-filling, for buffers whose every element up to the builder's
 * length is written (values of null rows included), so no stale memory can reach a batch.
 */
export function growUninitialized<T extends Growable>(buf: T, need: number): T {
  if (buf.length >= need) return buf;
  const Ctor = buf.constructor as {
    new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
    BYTES_PER_ELEMENT: number;
  };
  const length = grownLength(buf.length, need);
  // allocUnsafeSlow: a buffer of its own (not a slice of Node's shared pool), 8-byte aligned.
  const raw = Buffer.allocUnsafeSlow(length * Ctor.BYTES_PER_ELEMENT);
  const next = new Ctor(raw.buffer as ArrayBuffer, raw.byteOffset, length);
  next.set(buf);
  return next;
}

/**
 * `buf[0, used)`: a view, or a copy when that frees more than half of a large buffer (the
 * batch keeps its buffers alive for as long as the consumer holds it).
 */
export function trimmed<T extends Growable>(buf: T, used: number): T {
  return buf.length > 4096 && used < buf.length >> 1
    ? (buf.slice(0, used) as T)
    : (buf.subarray(0, used) as T);
}
