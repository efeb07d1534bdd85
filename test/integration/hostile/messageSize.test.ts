/**
 * Issue: "a server declaring 2 GB and sending 512 MiB pushed the client to 617 MB". The
 * client now has a finite receive limit by default: a larger declared message fails the call at
 * its 5-byte prefix, with a ProtocolError that names maxReceiveMessageBytes.
 */
import { status } from '@grpc/grpc-js';
import { FlightClient, ProgrammingError } from '../../../src';
import { DEFAULT_MAX_RECEIVE_MESSAGE_BYTES } from '../../../src/flight';
import * as pb from '../../../src/proto/Flight';
import {
  batchOf,
  flightDataMessages,
  frame,
  startHostileServer,
  type HostileCall,
  type HostileServer,
} from './hostileServer';
import { outcome, runProbe } from './probe';

const DECLARED = 2_000_000_000;
const SENT = 512 * 1024 * 1024;
const CHUNK = Buffer.alloc(1024 * 1024);
/** 600,000 int32 values: one 2.4 MB message (more than 1 MiB, less than the default limit). */
const BIG_ROWS = 600_000;

let server: HostileServer;
/** Bytes each lying call managed to write before the client stopped it. */
const written: number[] = [];

/** Declares a 2 GB message, then sends up to 512 MiB of it while the client lets it. */
async function lie(call: HostileCall): Promise<void> {
  call.respond();
  await call.write(frame(new Uint8Array(0), DECLARED));
  let sent = 0;
  while (sent < SENT && (await call.write(CHUNK))) sent += CHUNK.byteLength;
  written.push(call.written);
  if (!call.isClosed) call.end();
}

beforeAll(async () => {
  server = await startHostileServer(async (call) => {
    const [request] = await call.request();
    if (call.method === 'DoGet' && Buffer.from(pb.Ticket.decode(request!).ticket).toString() === 'big') {
      for (const message of flightDataMessages([batchOf(0, BIG_ROWS)], 64 * 1024 * 1024)) {
        await call.send(message);
      }
      call.end();
      return;
    }
    await lie(call);
  });
});

afterAll(async () => {
  await server.close();
});

test('the default limit is 256 MiB; -1 lifts it; nonsense is refused', () => {
  expect(DEFAULT_MAX_RECEIVE_MESSAGE_BYTES).toBe(256 * 1024 * 1024);
  expect(new FlightClient('grpc://127.0.0.1:1').limits.maxReceiveMessageBytes).toBe(
    DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
  );
  const unlimited = new FlightClient('grpc://127.0.0.1:1', { maxReceiveMessageBytes: -1 });
  expect(unlimited.limits.maxReceiveMessageBytes).toBe(-1);
  for (const bad of [0, 1.5, -2, 2 ** 33]) {
    expect(() => new FlightClient('grpc://127.0.0.1:1', { maxReceiveMessageBytes: bad })).toThrow(
      ProgrammingError,
    );
  }
});

test('a declared 2 GB message fails DoGet and GetFlightInfo at once, before anything is buffered', async () => {
  written.length = 0;
  const run = await runProbe('sizeDeclared', { location: server.location });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  for (const step of ['DoGet', 'GetFlightInfo']) {
    const result = outcome(run, step);
    expect(result).toMatchObject({
      ok: false,
      errorName: 'ProtocolError',
      grpcCode: status.RESOURCE_EXHAUSTED,
    });
    expect(result.message).toContain(`a message of ${DECLARED} bytes`);
    expect(result.message).toContain('maxReceiveMessageBytes');
    expect(result.message).toContain(String(DEFAULT_MAX_RECEIVE_MESSAGE_BYTES));
    expect(result.elapsedMs).toBeLessThan(10_000);
    // The issue saw 617 MB; the limit stops the call at the length prefix.
    expect(result.rssGrowthMb).toBeLessThan(100);
  }
  // The server got to write little more than the HTTP/2 window before the client reset the call.
  expect(written).toHaveLength(2);
  for (const bytes of written) expect(bytes).toBeLessThan(64 * 1024 * 1024);
});

test('maxReceiveMessageBytes lowers and lifts the limit', async () => {
  const run = await runProbe('sizeConfigured', { location: server.location });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const refused = outcome(run, '1 MiB limit');
  expect(refused).toMatchObject({
    ok: false,
    errorName: 'ProtocolError',
    grpcCode: status.RESOURCE_EXHAUSTED,
  });
  expect(refused.message).toMatch(/more than maxReceiveMessageBytes allows \(1048576 bytes\)/);
  expect(refused.elapsedMs).toBeLessThan(10_000);
  expect(refused.rssGrowthMb).toBeLessThan(100);
  for (const step of ['default limit', 'no limit (-1)']) {
    expect(outcome(run, step)).toMatchObject({ ok: true, value: BIG_ROWS });
    expect(outcome(run, step).rssGrowthMb).toBeLessThan(100);
  }
});
