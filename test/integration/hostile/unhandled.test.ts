/**
 * Issue: "`await client.flight.handshake()` with no arguments throws a TypeError that can be
 * caught, but leaves the call dangling, and `await client.close()` later emits an unhandled
 * CANCELLED 'error' that exits the process with code 1." Every call now has an 'error'
 * listener for its whole life. The probe runs each path that used to leave one behind, with
 * listeners on uncaughtException and unhandledRejection that fail it.
 */
import { status } from '@grpc/grpc-js';
import * as pb from '../../../src/proto/Flight';
import {
  batchOf,
  flightDataMessages,
  flightInfoMessage,
  frame,
  startHostileServer,
  type HostileCall,
  type HostileServer,
} from './hostileServer';
import { outcome, runProbe } from './probe';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `messages` forever, one every few milliseconds, until the client goes away. */
async function forever(call: HostileCall, message: () => Buffer): Promise<void> {
  while (!call.isClosed) {
    if (!(await call.send(message()))) return;
    await sleep(5);
  }
}

async function script(call: HostileCall): Promise<void> {
  const what = String(call.headers['x-script'] ?? '');
  const [request] = await call.request();
  if (what === 'freeze') return call.closed;
  if (call.method === 'Handshake' && what === 'unauthenticated') {
    return call.fail(status.UNAUTHENTICATED, 'bad credentials');
  }
  if (call.method === 'ListFlights' && what === 'endless-list') {
    return forever(call, () => flightInfoMessage('t', []));
  }
  if (call.method === 'DoGet') {
    const ticket = Buffer.from(pb.Ticket.decode(request!).ticket).toString();
    const [schema, ...batches] = flightDataMessages([batchOf(0, 100)]);
    if (ticket === 'huge') {
      call.respond();
      await call.write(frame(new Uint8Array(0), 2_000_000_000));
      await call.write(Buffer.alloc(4 * 1024 * 1024));
      return call.closed;
    }
    await call.send(schema!);
    if (ticket === 'stall') {
      for (const batch of batches) await call.send(batch);
      return call.closed;
    }
    return forever(call, () => batches[0]!);
  }
  call.fail(status.UNIMPLEMENTED, `${call.method} is not scripted`);
}

let server: HostileServer;

beforeAll(async () => {
  server = await startHostileServer(script);
});

afterAll(async () => {
  await server.close();
});

test('abandoned, failed and cancelled calls never emit an unhandled error or rejection', async () => {
  const run = await runProbe('unhandled', { location: server.location });
  // The process survived every path: no uncaughtException, no unhandledRejection, exit code 0.
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const expectations: Record<string, { ok: boolean; errorName?: string; grpcCode?: number }> = {
    'handshake()': { ok: false, errorName: 'InterfaceError' },
    'close after handshake()': { ok: true },
    // Aborted by the caller's signal: an AbortError (still an OperationalError), gRPC CANCELLED.
    'abandoned handshake': { ok: false, errorName: 'AbortError', grpcCode: status.CANCELLED },
    'close with a handshake in flight': { ok: true },
    'failed handshake': { ok: false, errorName: 'OperationalError', grpcCode: status.UNAUTHENTICATED },
    'read cancelled by close()': { ok: false, errorName: 'OperationalError', grpcCode: status.CANCELLED },
    'unary call cancelled by close()': {
      ok: false,
      errorName: 'OperationalError',
      grpcCode: status.CANCELLED,
    },
    'consumer left the stream': { ok: true },
    'reader dropped': { ok: true },
    'generator left early': { ok: true },
    'handshake with a request that cannot be serialized': { ok: false, errorName: 'InterfaceError' },
    'generator dropped': { ok: true },
    'idle timeout': { ok: false, errorName: 'OperationalError', grpcCode: status.DEADLINE_EXCEEDED },
    'message too large': { ok: false, errorName: 'ProtocolError', grpcCode: status.RESOURCE_EXHAUSTED },
  };
  expect(run.outcomes.map((o) => o.step)).toEqual(Object.keys(expectations));
  for (const [step, expected] of Object.entries(expectations)) {
    const result = outcome(run, step);
    expect(result).toMatchObject({ step, ...expected });
    expect(result.elapsedMs).toBeLessThan(10_000);
    expect(result.rssGrowthMb).toBeLessThan(100);
  }
  expect(outcome(run, 'handshake()').message).toMatch(/requests must be an array/);
  expect(run.totalMs).toBeLessThan(60_000);
});
