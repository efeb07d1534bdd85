/**
 * Errors as Node code checks them, against the embedded server: `code`, `name`, `cause` and
 * the PEP 249 class of aborted calls, timeouts, refused connections and bad SQL.
 */
import { createServer } from 'node:net';
import { status } from '@grpc/grpc-js';
import { tableFromArrays, type RecordBatch } from 'apache-arrow';
import {
  AbortError,
  connect,
  Error as FlightSQLError,
  FlightSQLClient,
  OperationalError,
  ProgrammingError,
} from '../../../src';
import { useServer } from '../fixture';

const HUGE = 'SELECT range AS i, range * 2.0 AS x FROM range(1000000000)';

/** What a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new globalThis.Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

/** Reads a reader to its end; rejects with what the read fails with. */
async function drain(reader: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of reader) {
    // only the failure matters
  }
}

/** The checks every abort passes: AbortError, still an OperationalError, cause === reason. */
function expectAbort(err: unknown, reason: unknown, context: string): void {
  expect(err).toBeInstanceOf(AbortError);
  expect(err).toBeInstanceOf(OperationalError);
  expect(err).toBeInstanceOf(FlightSQLError);
  const abort = err as AbortError;
  expect(abort.name).toBe('AbortError');
  expect(abort.code).toBe('ABORT_ERR');
  expect(abort.cause).toBe(reason);
  expect(abort.grpcCode).toBe(status.CANCELLED);
  expect(abort.message).toMatch(new RegExp(`^${context}: aborted \\(`));
}

/** A loopback port nothing listens on (taken from the OS, then released). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('error codes against the embedded server', () => {
  const fx = useServer();

  test('bad SQL is a ProgrammingError with code ERR_GRPC_INVALID_ARGUMENT', async () => {
    const err = await rejection(fx.client.execute('SELEC 1'));
    expect(err).toBeInstanceOf(ProgrammingError);
    expect(err).toMatchObject({
      name: 'ProgrammingError',
      code: 'ERR_GRPC_INVALID_ARGUMENT',
      grpcCode: status.INVALID_ARGUMENT,
      grpcStatus: 'INVALID_ARGUMENT',
    });
  });

  test('a signal aborted before the call: AbortError whose cause is the reason', async () => {
    const reason = new globalThis.Error('user pressed stop');
    const err = await rejection(fx.client.execute('SELECT 1', { signal: AbortSignal.abort(reason) }));
    expectAbort(err, reason, 'GetFlightInfo');
    expect((err as AbortError).message).toBe('GetFlightInfo: aborted (user pressed stop)');
  });

  test('a signal aborted during a DoGet stream: the next read rejects with the AbortError', async () => {
    const info = await fx.client.execute(HUGE);
    const controller = new AbortController();
    const reader = await fx.client.doGet(info.endpoints[0]!.ticket, { signal: controller.signal });
    expect((await reader.readChunk())!.data!.numRows).toBeGreaterThan(0);
    const reason = { why: 'a reason that is not an Error' };
    controller.abort(reason);
    expectAbort(await rejection(drain(reader)), reason, 'DoGet');
    expect(reader.state).toBe('cancelled');
  });

  test('FlightInfoReader: a signal aborted mid-result rejects the reads with the AbortError', async () => {
    const info = await fx.client.execute(HUGE);
    const controller = new AbortController();
    const reader = fx.client.readFlightInfo(info, { signal: controller.signal });
    const iterator = reader[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    const reason = new globalThis.Error('stop');
    const pending = rejection(drain({ [Symbol.asyncIterator]: () => iterator }));
    controller.abort(reason);
    expectAbort(await pending, reason, 'DoGet');
  });

  test('AbortSignal.timeout(): AbortError whose cause is the TimeoutError, as fetch does', async () => {
    const info = await fx.client.execute(HUGE);
    const signal = AbortSignal.timeout(50);
    const fired = new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    // The timer may fire while DoGet opens (on a loaded machine) or while the stream waits.
    const err = await rejection(
      (async () => {
        const reader = await fx.client.doGet(info.endpoints[0]!.ticket, { signal });
        await fired;
        await drain(reader);
      })(),
    );
    expectAbort(err, signal.reason, 'DoGet');
    expect((err as AbortError).cause).toMatchObject({ name: 'TimeoutError' });
  });

  test('an upload (DoPut) aborted midway: AbortError whose cause is the reason', async () => {
    const controller = new AbortController();
    const reason = new globalThis.Error('upload stopped');
    const batch = tableFromArrays({ v: BigInt64Array.from({ length: 1000 }, (_, i) => BigInt(i)) })
      .batches[0]!;
    async function* batches(): AsyncGenerator<RecordBatch> {
      for (let b = 0; b < 1000; b++) {
        if (b === 50) controller.abort(reason);
        yield batch;
      }
    }
    const err = await rejection(
      fx.client.executeIngest(batches(), { table: 'aborted_upload', signal: controller.signal }),
    );
    expectAbort(err, reason, 'DoPut');
  });

  test('timeoutMs is a deadline, not an abort: OperationalError ERR_GRPC_DEADLINE_EXCEEDED', async () => {
    const info = await fx.client.execute(HUGE);
    const err = await rejection(
      (async () => {
        const reader = await fx.client.doGet(info.endpoints[0]!.ticket, { timeoutMs: 200 });
        for await (const _ of reader) await new Promise((resolve) => setTimeout(resolve, 5));
      })(),
    );
    expect(err).toBeInstanceOf(OperationalError);
    expect(err).not.toBeInstanceOf(AbortError);
    expect(err).toMatchObject({
      name: 'OperationalError',
      code: 'ERR_GRPC_DEADLINE_EXCEEDED',
      grpcCode: status.DEADLINE_EXCEEDED,
    });
  });

  test('cancel() is not an abort: OperationalError ERR_GRPC_CANCELLED with the reason as cause', async () => {
    const info = await fx.client.execute(HUGE);
    const reader = await fx.client.doGet(info.endpoints[0]!.ticket);
    reader.cancel('enough');
    const err = await rejection(drain(reader));
    expect(err).not.toBeInstanceOf(AbortError);
    expect(err).toMatchObject({ name: 'OperationalError', code: 'ERR_GRPC_CANCELLED', cause: 'enough' });
  });

  test('the basic-auth Handshake waited on by an aborted call: AbortError', async () => {
    const client = fx.connect({ username: 'u', password: 'pw-not-used' });
    const reason = new globalThis.Error('gave up');
    const err = await rejection(client.execute('SELECT 1', { signal: AbortSignal.abort(reason) }));
    expectAbort(err, reason, 'Handshake');
  });

  test('the DB-API cursor: execute and fetch reject with the AbortError', async () => {
    const connection = await connect(fx.server.location);
    try {
      const cursor = connection.cursor();
      const before = new globalThis.Error('before');
      expectAbort(
        await rejection(cursor.execute('SELECT 1', null, { signal: AbortSignal.abort(before) })),
        before,
        'GetFlightInfo',
      );
      const controller = new AbortController();
      await cursor.execute(HUGE, null, { signal: controller.signal });
      expect(await cursor.fetchone()).not.toBeNull();
      const during = new globalThis.Error('during');
      controller.abort(during);
      expectAbort(await rejection(cursor.fetchall()), during, 'DoGet');
    } finally {
      await connection.close();
    }
  });
});

test('connection refused: OperationalError ERR_GRPC_UNAVAILABLE whose cause carries ECONNREFUSED', async () => {
  const port = await deadPort();
  const client = new FlightSQLClient({ host: `grpc://127.0.0.1:${port}`, timeoutMs: 10_000 });
  try {
    const err = await rejection(client.execute('SELECT 1'));
    expect(err).toBeInstanceOf(OperationalError);
    expect(err).toMatchObject({
      name: 'OperationalError',
      code: 'ERR_GRPC_UNAVAILABLE',
      grpcCode: status.UNAVAILABLE,
    });
    const cause = (err as OperationalError).cause as NodeJS.ErrnoException & {
      address?: string;
      port?: number;
    };
    expect(cause).toBeInstanceOf(globalThis.Error);
    expect(cause).toMatchObject({
      code: 'ECONNREFUSED',
      syscall: 'connect',
      address: '127.0.0.1',
      port,
      message: `connect ECONNREFUSED 127.0.0.1:${port}`,
    });
    expect(cause.errno).toBeLessThan(0);
  } finally {
    await client.close();
  }
});
