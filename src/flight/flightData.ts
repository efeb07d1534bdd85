/**
 * FlightData on the wire, by hand: the hot path of every DoGet, DoPut and DoExchange.
 *
 * The generated codec would allocate a message object and a FlightDescriptor per message;
 * this one keeps the fields as views on the received buffer, so the body that becomes
 * Arrow buffers is never copied here.
 */
import { protocolError } from '../errors';

/** One FlightData message, with every bytes field a view on the received buffer. */
export interface RawFlightData {
  /** Serialized FlightDescriptor (only on the first message of DoPut/DoExchange), or undefined. */
  readonly descriptor?: Uint8Array;
  /** The Arrow IPC flatbuffer `Message` (no continuation marker or length prefix). */
  readonly header: Uint8Array;
  /** Application metadata sent alongside the message. */
  readonly appMetadata: Uint8Array;
  /** The Arrow IPC message body. */
  readonly body: Uint8Array;
}

const EMPTY: Uint8Array = new Uint8Array(0);

// Field tags: (field_number << 3) | wire type 2.
const TAG_DESCRIPTOR = 0x0a; // 1
const TAG_HEADER = 0x12; // 2
const TAG_APP_METADATA = 0x1a; // 3
const TAG_BODY = (1000 << 3) | 2; // 1000, a two-byte varint on the wire

/** Decodes a FlightData protobuf message; the result's fields are views on `buf`. */
export function decodeFlightData(buf: Uint8Array): RawFlightData {
  let descriptor: Uint8Array | undefined;
  let header: Uint8Array = EMPTY;
  let appMetadata: Uint8Array = EMPTY;
  let body: Uint8Array = EMPTY;
  let pos = 0;
  const end = buf.length;
  while (pos < end) {
    // Tags and lengths are varints; lengths fit in 32 bits for any message grpc-js accepts.
    let tag = 0;
    let shift = 0;
    let b: number;
    do {
      if (pos >= end) throw protocolError('truncated FlightData tag');
      b = buf[pos++]!;
      tag += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    const wireType = tag & 7;
    if (wireType === 2) {
      let len = 0;
      shift = 0;
      do {
        if (pos >= end) throw protocolError('truncated FlightData length');
        b = buf[pos++]!;
        len += (b & 0x7f) * 2 ** shift;
        shift += 7;
      } while (b & 0x80);
      const next = pos + len;
      if (next > end) throw protocolError('FlightData field runs past the message');
      const view = buf.subarray(pos, next);
      if (tag === TAG_BODY) body = view;
      else if (tag === TAG_HEADER) header = view;
      else if (tag === TAG_APP_METADATA) appMetadata = view;
      else if (tag === TAG_DESCRIPTOR) descriptor = view;
      pos = next;
    } else if (wireType === 0) {
      while (pos < end && buf[pos++]! & 0x80);
    } else if (wireType === 1) {
      pos += 8;
    } else if (wireType === 5) {
      pos += 4;
    } else {
      throw protocolError(`unexpected wire type ${wireType} in FlightData`);
    }
  }
  return { descriptor, header, appMetadata, body };
}

/** FlightData to send: every part optional. `body` may be split in several pieces (no copy until the frame). */
export interface OutgoingFlightData {
  /** The encoded FlightDescriptor (the first message of a DoPut or DoExchange). */
  readonly descriptor?: Uint8Array;
  /** The IPC flatbuffer Message (`data_header`). */
  readonly header?: Uint8Array;
  /** Application-defined metadata (`app_metadata`). */
  readonly appMetadata?: Uint8Array;
  /** Body pieces, concatenated on the wire in order (IPC bodies are built from many buffers). */
  readonly body?: readonly Uint8Array[];
  /** Total byte length of `body`; computed when absent. */
  readonly bodyLength?: number;
  /**
   * Pad `data_header` so that the body starts 8-byte aligned in the receiver's gRPC frame.
   * Only for receivers that asked for it (see ALIGN_BODY_HEADER): some readers assume the
   * header's length is a multiple of 8.
   */
  readonly alignBody?: boolean;
}

/**
 * Request header by which a client says it decodes FlightData in place from 8-byte aligned
 * gRPC frames (grpc-js does) and would like bodies padded to land aligned: then no Arrow buffer
 * needs a copy. Servers that do not know it ignore it.
 */
export const ALIGN_BODY_HEADER = 'x-flightsql-align-body';

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(out: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    out[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[pos++] = n;
  return pos;
}

function fieldSize(tagSize: number, len: number): number {
  return tagSize + varintSize(len) + len;
}

/**
 * Bytes before a message inside a gRPC frame (compressed flag and length). grpc-js hands each
 * received message to the deserializer at this offset of a buffer that starts 8-byte aligned.
 */
const GRPC_FRAME_PREFIX = 5;

/**
 * Zero bytes to append to `data_header` so that the body starts 8-byte aligned in the gRPC frame:
 * a receiver that keeps the frame aligned (grpc-js does) then loads every Arrow buffer without a
 * copy. Trailing zeros after the flatbuffer are valid (the IPC stream format pads its metadata
 * the same way).
 */
function headerPadding(before: number, headerLength: number, after: number): number {
  for (let pad = 0; pad < 16; pad++) {
    const bodyStart = before + fieldSize(1, headerLength + pad) + after;
    if ((GRPC_FRAME_PREFIX + bodyStart) % 8 === 0) return pad;
  }
  return 0;
}

/**
 * Encodes FlightData into one Buffer: the single copy that gRPC framing requires. Field order
 * follows the reference implementations (descriptor, header, app_metadata, body); with
 * `alignBody` the header is padded so that the body lands 8-byte aligned at the receiver.
 */
export function encodeFlightData(msg: OutgoingFlightData): Buffer {
  const bodyLength = msg.bodyLength ?? (msg.body ? msg.body.reduce((n, b) => n + b.byteLength, 0) : 0);
  const headerLength = msg.header?.byteLength ?? 0;
  const descriptorSize = msg.descriptor ? fieldSize(1, msg.descriptor.byteLength) : 0;
  const appMetadataSize = msg.appMetadata?.byteLength ? fieldSize(1, msg.appMetadata.byteLength) : 0;
  const bodyPrefix = bodyLength ? 2 + varintSize(bodyLength) : 0;
  const pad =
    msg.alignBody && headerLength && bodyLength
      ? headerPadding(descriptorSize, headerLength, appMetadataSize + bodyPrefix)
      : 0;
  const size =
    descriptorSize +
    (headerLength ? fieldSize(1, headerLength + pad) : 0) +
    appMetadataSize +
    bodyPrefix +
    bodyLength;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  const put = (tag: number, bytes: Uint8Array, padding = 0) => {
    pos = writeVarint(out, pos, tag);
    pos = writeVarint(out, pos, bytes.byteLength + padding);
    out.set(bytes, pos);
    pos += bytes.byteLength;
    if (padding) {
      out.fill(0, pos, pos + padding);
      pos += padding;
    }
  };
  if (msg.descriptor) put(TAG_DESCRIPTOR, msg.descriptor);
  if (headerLength) put(TAG_HEADER, msg.header!, pad);
  if (msg.appMetadata?.byteLength) put(TAG_APP_METADATA, msg.appMetadata);
  if (bodyLength && msg.body) {
    pos = writeVarint(out, pos, TAG_BODY);
    pos = writeVarint(out, pos, bodyLength);
    for (const piece of msg.body) {
      out.set(piece, pos);
      pos += piece.byteLength;
    }
  }
  if (pos !== size) throw new RangeError(`FlightData size mismatch: wrote ${pos} of ${size} bytes`);
  return out;
}
