// Minimal protobuf helpers for the floor clients: just enough of Flight / Flight SQL to send
// GetFlightInfo(CommandStatementQuery) and DoGet(Ticket) over raw @grpc/grpc-js, and to turn
// FlightData messages into an Arrow IPC stream. Independent of the code under test (src/).

function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}

function field(no, bytes) {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  return Buffer.concat([varint((no << 3) | 2), varint(buf.length), buf]);
}

function fieldVarint(no, value) {
  return Buffer.concat([varint(no << 3), varint(value)]);
}

/** FlightDescriptor{type: CMD, cmd: Any{CommandStatementQuery{query}}} */
export function statementQueryDescriptor(sql) {
  const command = field(1, Buffer.from(sql, 'utf8'));
  const any = Buffer.concat([
    field(1, Buffer.from('type.googleapis.com/arrow.flight.protocol.sql.CommandStatementQuery')),
    field(2, command),
  ]);
  return Buffer.concat([fieldVarint(1, 2), field(2, any)]);
}

/** Ticket{ticket} */
export function ticketMessage(ticketBytes) {
  return field(1, ticketBytes);
}

/** Iterates the fields of one protobuf message: { no, type, value } (value: number|bigint or Uint8Array). */
export function* fields(buf) {
  let pos = 0;
  const readVarint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(readVarint());
    const no = key >>> 3;
    const type = key & 7;
    if (type === 0) yield { no, type, value: readVarint() };
    else if (type === 2) {
      const len = Number(readVarint());
      yield { no, type, value: buf.subarray(pos, pos + len) };
      pos += len;
    } else if (type === 1) {
      yield { no, type, value: buf.subarray(pos, pos + 8) };
      pos += 8;
    } else if (type === 5) {
      yield { no, type, value: buf.subarray(pos, pos + 4) };
      pos += 4;
    } else throw new Error(`unsupported protobuf wire type ${type}`);
  }
}

/** Tickets of the endpoints of a FlightInfo message. */
export function ticketsOfFlightInfo(buf) {
  const tickets = [];
  for (const f of fields(buf)) {
    if (f.no !== 3 || f.type !== 2) continue; // endpoint
    for (const e of fields(f.value)) {
      if (e.no !== 1 || e.type !== 2) continue; // ticket
      for (const t of fields(e.value)) if (t.no === 1 && t.type === 2) tickets.push(Buffer.from(t.value));
    }
  }
  return tickets;
}

/** data_header and data_body of a FlightData message. */
export function flightDataParts(buf) {
  let header;
  let body;
  for (const f of fields(buf)) {
    if (f.no === 2 && f.type === 2) header = f.value;
    else if (f.no === 1000 && f.type === 2) body = f.value;
  }
  return { header, body };
}

const CONTINUATION = Buffer.from([0xff, 0xff, 0xff, 0xff]);

/** One Arrow IPC stream message (encapsulated format) for a FlightData, or null if it carries none. */
export function ipcMessageOf(flightData) {
  const { header, body } = flightDataParts(flightData);
  if (!header || header.length === 0) return null;
  const padded = (header.length + 7) & ~7;
  const prefix = Buffer.alloc(8);
  CONTINUATION.copy(prefix, 0);
  prefix.writeInt32LE(padded, 4);
  const parts = [prefix, header];
  if (padded > header.length) parts.push(Buffer.alloc(padded - header.length));
  if (body && body.length) parts.push(body);
  return parts;
}

/** End-of-stream marker of the IPC stream format. */
export const IPC_EOS = Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
