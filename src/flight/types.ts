/**
 * Flight's own types (FlightInfo, FlightEndpoint, Ticket, Location, FlightDescriptor) in the
 * shape callers use, converted to and from the generated protobuf messages in one place.
 */
import { MessageHeader, Schema } from 'apache-arrow';
import { Message } from 'apache-arrow/ipc/metadata/message';
import { protocolError } from '../errors';
import { verifyMessageHeader } from './validateHeader';
import { validateSchema } from './validateSchema';
import * as pb from '../proto/Flight';

/** An opaque token that a DoGet redeems for a stream. */
export interface Ticket {
  /** The ticket's bytes, as the server issued them. */
  readonly ticket: Uint8Array;
}

/** Where a stream can be fetched: a URI such as `grpc+tls://host:port`. */
export interface Location {
  /** The location URI (`grpc+tls://…`, `grpc+tcp://…`, or the reuse-connection URI). */
  readonly uri: string;
}

/** A command (opaque bytes, e.g. an `Any`-packed Flight SQL command) or a path. */
export type FlightDescriptor =
  | {
      /** A command descriptor. */
      readonly type: 'cmd';
      /** The command's bytes, opaque to Flight. */
      readonly cmd: Uint8Array;
    }
  | {
      /** A path descriptor. */
      readonly type: 'path';
      /** The path's segments, e.g. a dataset's name. */
      readonly path: readonly string[];
    };

/** One part of a result: a ticket and the places that can serve it. */
export interface FlightEndpoint {
  /** The ticket to redeem with DoGet. */
  readonly ticket: Ticket;
  /** Empty: fetch from the server that returned the FlightInfo. */
  readonly locations: readonly Location[];
  /** After this time the ticket may no longer be redeemed. */
  readonly expirationTime?: Date;
  /** Application-defined metadata (empty when none). */
  readonly appMetadata: Uint8Array;
}

/** How to fetch a result: its schema and endpoints. */
export interface FlightInfo {
  /** The result's schema (empty when the server sent none). */
  readonly schema: Schema;
  /** The descriptor this FlightInfo answers, when the server echoes it. */
  readonly flightDescriptor?: FlightDescriptor;
  /** Every endpoint must be read to get the whole result. */
  readonly endpoints: readonly FlightEndpoint[];
  /** -1n when unknown. */
  readonly totalRecords: bigint;
  /** -1n when unknown. */
  readonly totalBytes: bigint;
  /** When true, the endpoints' data is in order, front to back. */
  readonly ordered: boolean;
  /** Application-defined metadata (empty when none). */
  readonly appMetadata: Uint8Array;
}

/** The progress of a long-running query (PollFlightInfo). */
export interface PollInfo {
  /** What is known so far; complete when `flightDescriptor` is absent. */
  readonly info?: FlightInfo;
  /** Poll again with this descriptor; absent when the query is done. */
  readonly flightDescriptor?: FlightDescriptor;
  /** Progress in [0, 1], when the server knows it. */
  readonly progress?: number;
  /** After this time the query may no longer be polled (or is cancelled). */
  readonly expirationTime?: Date;
}

const CONTINUATION = 0xffffffff;

/**
 * An IPC flatbuffer Message, verified before apache-arrow reads it (validateHeader.ts): every
 * offset inside the bytes, required parts present. apache-arrow reads some vectors (a union's
 * type ids) as Int32Arrays over the header's own buffer, so a header that does not start 8-byte
 * aligned (as it may, inside a protobuf message) is copied first, with the constructor: a
 * Buffer's slice() is a view. A header that cannot be read is a ProtocolError.
 */
export function decodeMessage(header: Uint8Array): Message {
  const aligned = header.byteOffset % 8 === 0 ? header : new Uint8Array(header);
  verifyMessageHeader(aligned);
  try {
    return Message.decode(aligned);
  } catch (err) {
    throw protocolError(`an IPC message header could not be read (${String(err)})`);
  }
}

/**
 * Decodes schema bytes as Flight sends them: an encapsulated IPC message (optional
 * continuation marker, int32 length, flatbuffer Message). Empty bytes give an empty schema.
 */
export function decodeSchema(bytes: Uint8Array): Schema {
  if (bytes.byteLength === 0) return new Schema([]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  if (bytes.byteLength >= 8 && view.getUint32(0, true) === CONTINUATION) pos = 4;
  if (bytes.byteLength < pos + 4) throw protocolError('schema bytes too short');
  const length = view.getInt32(pos, true);
  pos += 4;
  if (length <= 0 || pos + length > bytes.byteLength) throw protocolError('schema bytes truncated');
  const message = decodeMessage(bytes.subarray(pos, pos + length));
  if (message.headerType !== MessageHeader.Schema) throw protocolError('schema bytes hold no Schema message');
  const schema = message.header() as Schema;
  validateSchema(schema, message.version);
  return schema;
}

/** Encodes a schema as an encapsulated IPC message, padded to 8 bytes. */
export function encodeSchema(schema: Schema): Uint8Array {
  const flatbuffer = Message.encode(Message.from(schema));
  const padded = (flatbuffer.byteLength + 7) & ~7;
  const out = new Uint8Array(8 + padded);
  const view = new DataView(out.buffer);
  view.setUint32(0, CONTINUATION, true);
  view.setInt32(4, padded, true);
  out.set(flatbuffer, 8);
  return out;
}

/** Converts a FlightDescriptor to its protobuf form. */
export function descriptorToProto(descriptor: FlightDescriptor): pb.FlightDescriptor {
  return descriptor.type === 'cmd'
    ? { type: pb.FlightDescriptor_DescriptorType.CMD, cmd: Buffer.from(descriptor.cmd), path: [] }
    : { type: pb.FlightDescriptor_DescriptorType.PATH, cmd: Buffer.alloc(0), path: [...descriptor.path] };
}

/** Converts a protobuf FlightDescriptor. */
export function descriptorFromProto(descriptor: pb.FlightDescriptor): FlightDescriptor {
  return descriptor.type === pb.FlightDescriptor_DescriptorType.PATH
    ? { type: 'path', path: descriptor.path }
    : { type: 'cmd', cmd: descriptor.cmd };
}

/** Converts a protobuf FlightInfo. */
export function flightInfoFromProto(info: pb.FlightInfo): FlightInfo {
  return {
    schema: decodeSchema(info.schema),
    flightDescriptor: info.flightDescriptor ? descriptorFromProto(info.flightDescriptor) : undefined,
    endpoints: info.endpoint.map(endpointFromProto),
    totalRecords: info.totalRecords,
    totalBytes: info.totalBytes,
    ordered: info.ordered,
    appMetadata: info.appMetadata,
  };
}

/** Converts a FlightInfo to its protobuf form. */
export function flightInfoToProto(info: FlightInfo): pb.FlightInfo {
  return {
    schema: Buffer.from(encodeSchema(info.schema)),
    flightDescriptor: info.flightDescriptor ? descriptorToProto(info.flightDescriptor) : undefined,
    endpoint: info.endpoints.map(endpointToProto),
    totalRecords: info.totalRecords,
    totalBytes: info.totalBytes,
    ordered: info.ordered,
    appMetadata: Buffer.from(info.appMetadata),
  };
}

function endpointFromProto(endpoint: pb.FlightEndpoint): FlightEndpoint {
  return {
    ticket: { ticket: endpoint.ticket?.ticket ?? new Uint8Array(0) },
    locations: endpoint.location.map((l) => ({ uri: l.uri })),
    expirationTime: endpoint.expirationTime,
    appMetadata: endpoint.appMetadata,
  };
}

/** Converts a FlightEndpoint to its protobuf form. */
export function endpointToProto(endpoint: FlightEndpoint): pb.FlightEndpoint {
  return {
    ticket: { ticket: Buffer.from(endpoint.ticket.ticket) },
    location: endpoint.locations.map((l) => ({ uri: l.uri })),
    expirationTime: endpoint.expirationTime,
    appMetadata: Buffer.from(endpoint.appMetadata),
  };
}

/** Converts a protobuf PollInfo. */
export function pollInfoFromProto(poll: pb.PollInfo): PollInfo {
  return {
    info: poll.info ? flightInfoFromProto(poll.info) : undefined,
    flightDescriptor: poll.flightDescriptor ? descriptorFromProto(poll.flightDescriptor) : undefined,
    progress: poll.progress,
    expirationTime: poll.expirationTime,
  };
}
