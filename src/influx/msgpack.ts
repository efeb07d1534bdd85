/**
 * MessagePack, decode only, as InfluxDB 1.x answers `/query` when asked with
 * `Accept: application/x-msgpack` (what influxdb-python asks for). Unlike the JSON answer it
 * tells integers from floats (JSON writes the float 1.0 as `1`) and sends times as exact
 * nanoseconds (extension type 5). Integers decode as bigint, floats as number, so the two
 * stay apart. Everything is checked against the bytes: a truncated or malformed answer is a
 * ProtocolError, never a crash or invented data.
 */
import { protocolError } from '../errors';

/** An instant InfluxDB sent as its time extension (type 5): nanoseconds since the epoch. */
export class InfluxTime {
  /** @internal */
  constructor(readonly nanoseconds: bigint) {}
}

/** A decoded value. Maps become objects without a prototype (their keys are data). */
export type MsgpackValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | InfluxTime
  | MsgpackValue[]
  | { [key: string]: MsgpackValue };

// Deeper than any answer InfluxDB sends (about five levels), shallow enough for the stack.
const MAX_DEPTH = 64;

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  need(n: number): number {
    const at = this.pos;
    if (n < 0 || at + n > this.buf.length) throw protocolError('truncated MessagePack answer');
    this.pos = at + n;
    return at;
  }

  value(depth: number): MsgpackValue {
    if (depth > MAX_DEPTH) throw protocolError('MessagePack answer nested too deeply');
    const b = this.buf;
    const tag = b[this.need(1)]!;
    if (tag <= 0x7f) return BigInt(tag);
    if (tag >= 0xe0) return BigInt(tag - 0x100);
    if (tag <= 0x8f) return this.map(tag & 0x0f, depth);
    if (tag <= 0x9f) return this.array(tag & 0x0f, depth);
    if (tag <= 0xbf) return this.str(tag & 0x1f);
    switch (tag) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.bin(b.readUInt8(this.need(1)));
      case 0xc5:
        return this.bin(b.readUInt16BE(this.need(2)));
      case 0xc6:
        return this.bin(b.readUInt32BE(this.need(4)));
      case 0xc7:
        return this.ext(b.readUInt8(this.need(1)));
      case 0xc8:
        return this.ext(b.readUInt16BE(this.need(2)));
      case 0xc9:
        return this.ext(b.readUInt32BE(this.need(4)));
      case 0xca:
        return b.readFloatBE(this.need(4));
      case 0xcb:
        return b.readDoubleBE(this.need(8));
      case 0xcc:
        return BigInt(b.readUInt8(this.need(1)));
      case 0xcd:
        return BigInt(b.readUInt16BE(this.need(2)));
      case 0xce:
        return BigInt(b.readUInt32BE(this.need(4)));
      case 0xcf:
        return b.readBigUInt64BE(this.need(8));
      case 0xd0:
        return BigInt(b.readInt8(this.need(1)));
      case 0xd1:
        return BigInt(b.readInt16BE(this.need(2)));
      case 0xd2:
        return BigInt(b.readInt32BE(this.need(4)));
      case 0xd3:
        return b.readBigInt64BE(this.need(8));
      case 0xd4:
        return this.ext(1);
      case 0xd5:
        return this.ext(2);
      case 0xd6:
        return this.ext(4);
      case 0xd7:
        return this.ext(8);
      case 0xd8:
        return this.ext(16);
      case 0xd9:
        return this.str(b.readUInt8(this.need(1)));
      case 0xda:
        return this.str(b.readUInt16BE(this.need(2)));
      case 0xdb:
        return this.str(b.readUInt32BE(this.need(4)));
      case 0xdc:
        return this.array(b.readUInt16BE(this.need(2)), depth);
      case 0xdd:
        return this.array(b.readUInt32BE(this.need(4)), depth);
      case 0xde:
        return this.map(b.readUInt16BE(this.need(2)), depth);
      case 0xdf:
        return this.map(b.readUInt32BE(this.need(4)), depth);
      default:
        throw protocolError(`invalid MessagePack byte 0x${tag.toString(16)}`);
    }
  }

  str(n: number): string {
    const at = this.need(n);
    return this.buf.toString('utf8', at, at + n);
  }

  bin(n: number): Uint8Array {
    const at = this.need(n);
    return Uint8Array.prototype.slice.call(this.buf, at, at + n);
  }

  ext(n: number): MsgpackValue {
    const type = this.buf.readInt8(this.need(1));
    const at = this.need(n);
    // InfluxDB's time: big-endian int64 seconds, then uint32 nanoseconds (influxdb-python reads
    // the seconds as unsigned and so breaks on times before 1970).
    if (type === 5 && n === 12) {
      const seconds = this.buf.readBigInt64BE(at);
      const nanos = this.buf.readUInt32BE(at + 8);
      if (nanos >= 1_000_000_000) throw protocolError(`invalid time in MessagePack answer (${nanos} ns)`);
      return new InfluxTime(seconds * 1_000_000_000n + BigInt(nanos));
    }
    throw protocolError(`unexpected MessagePack extension type ${type} (${n} bytes)`);
  }

  array(n: number, depth: number): MsgpackValue[] {
    // Each element takes at least one byte: a count beyond the bytes left is a lie.
    if (n > this.buf.length - this.pos) throw protocolError('truncated MessagePack answer');
    const out = new Array<MsgpackValue>(n);
    for (let i = 0; i < n; i++) out[i] = this.value(depth + 1);
    return out;
  }

  map(n: number, depth: number): { [key: string]: MsgpackValue } {
    if (n * 2 > this.buf.length - this.pos) throw protocolError('truncated MessagePack answer');
    const out = Object.create(null) as { [key: string]: MsgpackValue };
    for (let i = 0; i < n; i++) {
      const key = this.value(depth + 1);
      if (typeof key !== 'string') throw protocolError('MessagePack map key is not a string');
      out[key] = this.value(depth + 1);
    }
    return out;
  }
}

/**
 * Every value of a buffer holding one or more MessagePack documents back to back (a chunked
 * answer is one document per chunk). Throws ProtocolError when the bytes end mid-document.
 */
export function decodeAll(buf: Buffer): MsgpackValue[] {
  const reader = new Reader(buf);
  const out: MsgpackValue[] = [];
  while (reader.pos < buf.length) out.push(reader.value(0));
  return out;
}
