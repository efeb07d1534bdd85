// BENCH-ONLY: serve the bench table from FlightData messages encoded in memory beforehand, so
// that the server costs almost nothing and the figures measure the clients alone (the issue's
// fallback for when the DuckDB-backed server cannot outrun a client). The messages are exactly
// what the real server sends for `SELECT * FROM bench` (same encoder, same batch sizes), both
// plain and with the aligned-body padding that our client asks for.
import grpc from '@grpc/grpc-js';
import { ALIGN_BODY_HEADER, FlightDataEncoder, encodeFlightData } from 'flightsql/proto';
import { flightServiceDefinition } from 'flightsql/server';
import { timingSafeEqual } from 'node:crypto';

/** Encodes the whole result of `sql` twice (plain and aligned) into memory. */
export async function prepareMemorySource(engine, sql) {
  const query = await engine.query(sql);
  const plain = new FlightDataEncoder();
  const aligned = new FlightDataEncoder({ alignBody: true });
  const messages = { plain: [encodeFlightData(plain.schema(query.schema))], aligned: [] };
  messages.aligned.push(encodeFlightData(aligned.schema(query.schema)));
  let bytes = 0;
  for await (const batch of query.batches) {
    for (const m of plain.batch(batch)) {
      const buf = encodeFlightData(m);
      bytes += buf.length;
      messages.plain.push(buf);
    }
    for (const m of aligned.batch(batch)) messages.aligned.push(encodeFlightData(m));
  }
  query.close();
  return { messages, bytes };
}

/** The FlightService definition with DoGet writing pre-serialized messages as they are. */
export const memoryDefinition = {
  ...flightServiceDefinition,
  doGet: { ...flightServiceDefinition.doGet, responseSerialize: (buffer) => buffer },
};

/** A DoGet handler that streams `messages` (with backpressure) for any ticket. */
export function memoryDoGet(messages, auth = {}) {
  const expected = Buffer.from(auth.token ?? '');
  return (call) => {
    if (auth.token) {
      const header = String(call.metadata.get('authorization')[0] ?? '');
      const given = Buffer.from(header.replace(/^bearer /i, ''));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        call.emit('error', { code: grpc.status.UNAUTHENTICATED, details: 'invalid token' });
        return;
      }
    }
    const list = call.metadata.get(ALIGN_BODY_HEADER).length > 0 ? messages.aligned : messages.plain;
    let i = 0;
    let cancelled = false;
    call.on('cancelled', () => (cancelled = true));
    const pump = () => {
      while (!cancelled && i < list.length) {
        if (!call.write(list[i++])) {
          call.once('drain', pump);
          return;
        }
      }
      if (!cancelled) call.end();
    };
    pump();
  };
}
