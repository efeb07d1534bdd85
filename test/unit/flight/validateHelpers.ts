/** Builders of crafted FlightData for the validation tests (validate*.test.ts). */
import { RecordBatch, Schema } from 'apache-arrow';
import {
  BufferRegion,
  FieldNode,
  Message,
  RecordBatch as RecordBatchHeader,
} from 'apache-arrow/ipc/metadata/message';
import { FlightDataDecoder } from '../../../src/flight/decode';
import { FlightDataEncoder } from '../../../src/flight/encode';
import { decodeFlightData, encodeFlightData, type RawFlightData } from '../../../src/flight/flightData';
import { RowConverter } from '../../../src/values';

export const EMPTY = new Uint8Array(0);

export function raw(header: Uint8Array, body: Uint8Array = EMPTY): RawFlightData {
  return { header, body, appMetadata: EMPTY };
}

export function schemaMessage(schema: Schema): Uint8Array {
  return Message.encode(Message.from(schema));
}

export function batchHeader(
  length: number,
  nodes: [number, number][],
  buffers: [number, number][],
  bodyLength: number,
  variadic: number[] = [],
): Uint8Array {
  const header = new RecordBatchHeader(
    length,
    nodes.map(([l, n]) => new FieldNode(l, n)),
    buffers.map(([o, l]) => new BufferRegion(o, l)),
    null,
    variadic,
  );
  return Message.encode(Message.from(header, bodyLength));
}

/** A decoder that has read `schema`. */
export function after(schema: Schema): FlightDataDecoder {
  const decoder = new FlightDataDecoder();
  decoder.decode(raw(schemaMessage(schema)));
  return decoder;
}

/** The messages of a valid stream of `batches`, decoded from the wire as the client sees them. */
export function stream(batches: RecordBatch[]): RawFlightData[] {
  const encoder = new FlightDataEncoder();
  const messages = [encoder.schema(batches[0]!.schema), ...batches.flatMap((b) => [...encoder.batch(b)])];
  // As a Uint8Array: a Buffer's slice() would be a view, and the tests edit copies.
  return messages.map((m) => decodeFlightData(new Uint8Array(encodeFlightData(m))));
}

export function rowsOf(messages: RawFlightData[]): unknown[][] {
  const decoder = new FlightDataDecoder();
  const rows: unknown[][] = [];
  for (const m of messages) {
    const payload = decoder.decode(m);
    if (payload.kind === 'batch')
      rows.push(...(new RowConverter(decoder.schema!).rows(payload.batch) as unknown[][]));
  }
  return rows;
}

export function decodeAll(messages: RawFlightData[]): void {
  rowsOf(messages);
}
