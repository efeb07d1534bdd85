/**
 * A DoPut driven message by message over a bare gRPC client, so that tests choose the order of
 * writes, half-close and reads that other clients use (Arrow C++ reads before it half-closes,
 * arrow-go half-closes first), and a DoPut over a bare HTTP/2 session that a test can tear down.
 */
import { Client, credentials, type ClientDuplexStream, type StatusObject } from '@grpc/grpc-js';
import { connect, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { connect as connectTcp, type Socket } from 'node:net';
import type { RecordBatch, Schema } from 'apache-arrow';
import {
  encodeFlightData,
  FlightDataEncoder,
  packCommand,
  type CommandKind,
  type CommandMessage,
  type OutgoingFlightData,
} from '../../../src/protocol';
import * as pb from '../../../src/proto/Flight';
import * as sql from '../../../src/proto/FlightSql';
import { flightServiceDefinition } from '../../../src/server';

const DO_PUT = flightServiceDefinition.doPut!.path;

/** The serialized CMD descriptor of a Flight SQL command. */
export function descriptorOf<K extends CommandKind>(
  kind: K,
  message: Partial<CommandMessage<K>>,
): Uint8Array {
  return pb.FlightDescriptor.encode({
    type: pb.FlightDescriptor_DescriptorType.CMD,
    cmd: Buffer.from(packCommand(kind, message)),
    path: [],
  }).finish();
}

/** The record count of a DoPutUpdateResult. */
export function recordCount(result: pb.PutResult): number {
  return Number(sql.DoPutUpdateResult.decode(result.appMetadata).recordCount);
}

/** Rejects when `promise` has not settled within `ms`: what a hung call looks like. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One DoPut call whose every step the test takes itself. */
export class RawPut {
  readonly call: ClientDuplexStream<OutgoingFlightData, pb.PutResult>;
  readonly results: pb.PutResult[] = [];
  /** The call's final status (errors included: it never rejects). */
  readonly status: Promise<StatusObject>;
  readonly #encoder = new FlightDataEncoder();
  #firstResult: Promise<pb.PutResult>;

  constructor(client: Client) {
    this.call = client.makeBidiStreamRequest(DO_PUT, encodeFlightData, (bytes: Buffer) =>
      pb.PutResult.decode(bytes),
    ) as ClientDuplexStream<OutgoingFlightData, pb.PutResult>;
    this.call.on('error', () => undefined);
    this.status = new Promise((resolve) => this.call.once('status', resolve));
    this.#firstResult = new Promise((resolve, reject) => {
      this.call.on('data', (result: pb.PutResult) => {
        this.results.push(result);
        resolve(result);
      });
      void this.status.then((s) =>
        reject(new Error(`call ended (${s.code}: ${s.details}) with no PutResult`)),
      );
    });
    this.#firstResult.catch(() => undefined);
  }

  /** The first message: the descriptor, with `schema` when given (arrow-go's ExecuteUpdate sends none). */
  start(descriptor: Uint8Array, schema?: Schema): this {
    this.call.write(schema ? this.#encoder.schema(schema, { descriptor }) : { descriptor });
    return this;
  }

  /** Writes one record batch (and any dictionaries it needs). */
  batch(batch: RecordBatch): this {
    for (const message of this.#encoder.batch(batch)) this.call.write(message);
    return this;
  }

  /** Half-closes the client's side. */
  end(): this {
    this.call.end();
    return this;
  }

  /** The first PutResult; rejects if the call ends without one. */
  result(): Promise<pb.PutResult> {
    return this.#firstResult;
  }
}

/** A new bare gRPC client for `location`'s host and port. */
export function rawClient(port: number): Client {
  return new Client(`127.0.0.1:${port}`, credentials.createInsecure());
}

/**
 * A DoPut over its own HTTP/2 connection, for tests that cut the connection mid-call the way a
 * killed process or a lost network does: the socket goes, no frame says goodbye. (Node's own
 * stream close and session destroy send END_STREAM before RST_STREAM, which a server cannot tell
 * from a half-close.)
 */
export class CuttablePut {
  readonly socket: Socket;
  readonly session: ClientHttp2Session;
  readonly stream: ClientHttp2Stream;
  readonly #encoder = new FlightDataEncoder();

  constructor(port: number) {
    this.socket = connectTcp(port, '127.0.0.1');
    this.socket.on('error', () => undefined);
    this.session = connect(`http://127.0.0.1:${port}`, { createConnection: () => this.socket });
    this.session.on('error', () => undefined);
    this.stream = this.session.request({
      ':method': 'POST',
      ':path': DO_PUT,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    this.stream.on('error', () => undefined);
  }

  /** Writes one gRPC message (the 5-byte length prefix, then the FlightData). */
  #send(message: OutgoingFlightData): void {
    const bytes = encodeFlightData(message);
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(bytes.byteLength, 1);
    this.stream.write(Buffer.concat([prefix, bytes]));
  }

  start(descriptor: Uint8Array, schema: Schema): this {
    this.#send(this.#encoder.schema(schema, { descriptor }));
    return this;
  }

  batch(batch: RecordBatch): this {
    for (const message of this.#encoder.batch(batch)) this.#send(message);
    return this;
  }

  /** Waits until what was written has left for the server. */
  async flushed(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.write(Buffer.alloc(0), () => resolve()));
  }

  /** Tears the connection down: no half-close, no RST_STREAM, no GOAWAY, just gone. */
  cut(): void {
    this.socket.destroy();
    this.session.destroy();
  }
}
