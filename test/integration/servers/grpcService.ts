/**
 * A Flight SQL server's RPCs as plain synchronous functions, and their wiring to grpc-js with
 * our generated service definition. DoPut input is read with apache-arrow's own IPC reader (not
 * the client's decoder under test); output goes through FlightDataEncoder.
 */
import {
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import { RecordBatchReader, type RecordBatch, type Schema } from 'apache-arrow';
import * as pb from '../../../src/proto/Flight';
import { FlightDataEncoder, type OutgoingFlightData, type RawFlightData } from '../../../src/protocol';
import { flightServiceDefinition } from '../../../src/server';
import { Status, toServiceError } from './arrowStatus';
import type { StreamResult } from './sqliteBatchReader';

/** What a DoPut brought: its descriptor, the schema of its stream (if any) and its batches. */
export interface PutInput {
  readonly descriptor: pb.FlightDescriptor;
  readonly schema: Schema | undefined;
  readonly batches: RecordBatch[];
}

/** The RPCs of a Flight SQL server; a thrown ArrowStatus becomes the call's gRPC status. */
export interface FlightSqlHandlers {
  getFlightInfo(descriptor: pb.FlightDescriptor): pb.FlightInfo;
  getSchema(descriptor: pb.FlightDescriptor): pb.SchemaResult;
  doGet(ticket: Uint8Array): StreamResult;
  doPut(input: PutInput): pb.PutResult[];
  doAction(action: pb.Action): Uint8Array[];
  listActions(): pb.ActionType[];
}

/** A running test server. */
export interface RunningTestServer {
  readonly location: string;
  readonly server: Server;
  close(): Promise<void>;
}

const CONTINUATION = 0xffffffff;

/** The IPC stream (continuation, length, padded header, body; end marker) of DoPut's messages. */
function ipcStream(messages: readonly RawFlightData[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const m of messages) {
    if (m.header.byteLength === 0) continue;
    const padded = (m.header.byteLength + 7) & ~7;
    const prefix = new Uint8Array(8 + padded);
    const view = new DataView(prefix.buffer);
    view.setUint32(0, CONTINUATION, true);
    view.setInt32(4, padded, true);
    prefix.set(m.header, 8);
    parts.push(prefix, m.body);
  }
  const end = new Uint8Array(8);
  new DataView(end.buffer).setUint32(0, CONTINUATION, true);
  parts.push(end);
  return Buffer.concat(parts);
}

/** The DoPut stream as its descriptor, schema and batches. */
export function readPut(messages: readonly RawFlightData[]): PutInput {
  const first = messages[0];
  if (!first?.descriptor) throw Status.invalid('DoPut stream has no FlightDescriptor');
  const descriptor = pb.FlightDescriptor.decode(first.descriptor);
  if (!messages.some((m) => m.header.byteLength > 0)) return { descriptor, schema: undefined, batches: [] };
  const reader = RecordBatchReader.from(ipcStream(messages)).open();
  const schema = reader.schema;
  const batches = [...reader];
  return { descriptor, schema, batches };
}

function readAll<T>(call: ServerDuplexStream<T, unknown>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const messages: T[] = [];
    call.on('data', (m: T) => messages.push(m));
    call.once('end', () => resolve(messages));
    call.once('error', reject);
  });
}

/** Serves `handlers` on 127.0.0.1, port 0. */
export async function serve(handlers: FlightSqlHandlers): Promise<RunningTestServer> {
  const server = new Server();
  const fail = (call: { emit(event: 'error', e: unknown): boolean }, err: unknown) =>
    call.emit('error', toServiceError(err));
  server.addService(flightServiceDefinition, {
    getFlightInfo(
      call: ServerUnaryCall<pb.FlightDescriptor, pb.FlightInfo>,
      callback: sendUnaryData<pb.FlightInfo>,
    ) {
      try {
        callback(null, handlers.getFlightInfo(call.request));
      } catch (err) {
        callback(toServiceError(err));
      }
    },
    getSchema(
      call: ServerUnaryCall<pb.FlightDescriptor, pb.SchemaResult>,
      callback: sendUnaryData<pb.SchemaResult>,
    ) {
      try {
        callback(null, handlers.getSchema(call.request));
      } catch (err) {
        callback(toServiceError(err));
      }
    },
    doGet(call: ServerWritableStream<pb.Ticket, OutgoingFlightData>) {
      let result: StreamResult;
      try {
        result = handlers.doGet(call.request.ticket);
      } catch (err) {
        return void fail(call, err);
      }
      const encoder = new FlightDataEncoder();
      call.write(encoder.schema(result.schema));
      for (const batch of result.batches) for (const message of encoder.batch(batch)) call.write(message);
      if (result.error) return void fail(call, result.error);
      call.end();
    },
    doPut(call: ServerDuplexStream<RawFlightData, pb.PutResult>) {
      readAll(call).then(
        (messages) => {
          try {
            for (const result of handlers.doPut(readPut(messages))) call.write(result);
            call.end();
          } catch (err) {
            fail(call, err);
          }
        },
        (err: unknown) => fail(call, err),
      );
    },
    doAction(call: ServerWritableStream<pb.Action, pb.Result>) {
      try {
        for (const body of handlers.doAction(call.request)) call.write({ body: Buffer.from(body) });
        call.end();
      } catch (err) {
        fail(call, err);
      }
    },
    listActions(call: ServerWritableStream<pb.Empty, pb.ActionType>) {
      for (const action of handlers.listActions()) call.write(action);
      call.end();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return {
    location: `grpc://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1000).unref();
      }),
  };
}
