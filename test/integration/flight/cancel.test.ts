import { status } from '@grpc/grpc-js';
import { FlightSQLClient, OperationalError } from '../../../src';
import { startServer } from '../../../src/server';
import { useServer } from '../fixture';

const HUGE = 'SELECT range AS i, range * 2.0 AS x FROM range(1000000000)';

describe('cancellation, timeouts and failures of a running DoGet', () => {
  const fx = useServer();

  test('an AbortSignal cancels a running DoGet with an OperationalError (CANCELLED)', async () => {
    const info = await fx.client.execute(HUGE);
    const controller = new AbortController();
    const reader = await fx.client.doGet(info.endpoints[0]!.ticket, { signal: controller.signal });
    expect((await reader.readChunk())!.data!.numRows).toBeGreaterThan(0);
    controller.abort(new Error('user pressed stop'));
    const err = await (async () => {
      for (;;) if ((await reader.readChunk()) === null) return undefined;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as OperationalError).grpcCode).toBe(status.CANCELLED);
    expect((err as OperationalError).message).toContain('user pressed stop');
    expect(reader.state).toBe('cancelled');
  });

  test('an already-aborted signal fails doGet at once', async () => {
    const info = await fx.client.execute('SELECT 1');
    const err = await fx.client
      .doGet(info.endpoints[0]!.ticket, { signal: AbortSignal.abort('too late') })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as OperationalError).grpcCode).toBe(status.CANCELLED);
  });

  test('a timeout ends a DoGet that runs too long with DEADLINE_EXCEEDED', async () => {
    const info = await fx.client.execute(HUGE);
    const reader = await fx.client.doGet(info.endpoints[0]!.ticket, { timeoutMs: 500 });
    const started = Date.now();
    const err = await (async () => {
      for await (const _batch of reader) await new Promise((r) => setTimeout(r, 5));
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as OperationalError).grpcCode).toBe(status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('leaving a for-await early cancels the call', async () => {
    const info = await fx.client.execute(HUGE);
    const reader = await fx.client.doGet(info.endpoints[0]!.ticket);
    let seen = 0;
    for await (const batch of reader) {
      seen += batch.numRows;
      break;
    }
    expect(seen).toBeGreaterThan(0);
    expect(reader.state).toBe('cancelled');
    // The client keeps working after a cancelled stream.
    const next = await fx.client.execute('SELECT 7 AS n');
    const table = await (await fx.client.doGet(next.endpoints[0]!.ticket)).readAll();
    expect(table.getChild('n')!.get(0)).toBe(7);
  });

  test('closing the client cancels its open streams', async () => {
    const client = fx.connect();
    const info = await client.execute(HUGE);
    const reader = await client.doGet(info.endpoints[0]!.ticket);
    await reader.readChunk();
    await client.close();
    const err = await (async () => {
      for (;;) if ((await reader.readChunk()) === null) return 'ended';
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
  });

  test('a server that goes away mid-stream gives an error, never a hang', async () => {
    const server = await startServer();
    const client = new FlightSQLClient({ host: server.location });
    try {
      const info = await client.execute(HUGE);
      const reader = await client.doGet(info.endpoints[0]!.ticket);
      await reader.readChunk();
      const closing = server.close();
      const err = await (async () => {
        for (;;) {
          if ((await reader.readChunk()) === null) return 'ended';
          await new Promise((r) => setTimeout(r, 1));
        }
      })().catch((e: unknown) => e);
      await closing;
      expect(err).toBeInstanceOf(OperationalError);
      expect(reader.state).toBe('failed');
    } finally {
      await client.close();
      await server.close();
    }
  });
});
