/** The batching writer on its own, with a sender that fails on command (no server). */
import {
  BatchingWriter,
  parseRetryAfter,
  resolveBatching,
  type WriteBatch,
} from '../../../src/influx/WriteApi';
import { guardedWriters } from '../../../src/influx/exitGuard';
import { OperationalError, ProgrammingError } from '../../../src';

const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => `m v=${from + i}i`);

function failure(httpStatus?: number, extra: object = {}) {
  return Object.assign(new Error(httpStatus ? `HTTP ${httpStatus}` : 'ECONNRESET'), {
    httpStatus,
    network: httpStatus === undefined,
    ...extra,
  });
}

test('batches by size and by flush interval, in order, per target', async () => {
  const sent: [string, string[]][] = [];
  const writer = new BatchingWriter(async (b) => void sent.push([b.target, [...b.lines]]), {
    batchSize: 3,
    flushInterval: 20,
  });
  await writer.write('a', lines(0, 7));
  await writer.write('b', lines(100, 1));
  await new Promise((r) => setTimeout(r, 60));
  expect(sent.map(([t, l]) => `${t}:${l.length}`)).toEqual(['a:3', 'a:3', 'a:1', 'b:1']);
  expect(sent.filter(([t]) => t === 'a').flatMap(([, l]) => l)).toEqual(lines(0, 7));
  await writer.close();
});

test('429 and 503 are retried with backoff (Retry-After honoured) until they pass: nothing lost or duplicated', async () => {
  let calls = 0;
  const delivered: string[] = [];
  const retries: number[] = [];
  const writer = new BatchingWriter(
    async (b) => {
      calls++;
      if (calls === 1) throw failure(429, { retryAfterMs: 30 });
      if (calls === 2) throw failure(503);
      if (calls === 3) throw failure();
      delivered.push(...b.lines);
    },
    { batchSize: 10, retryInterval: 5, maxRetries: 5, retry: (_b, _e, _a, delay) => retries.push(delay) },
  );
  await writer.write('t', lines(0, 25));
  await writer.flush();
  expect(delivered).toEqual(lines(0, 25));
  expect(retries[0]).toBe(30); // the server's Retry-After
  expect(retries[1]).toBeGreaterThanOrEqual(10); // retryInterval * base^1
  await writer.close();
});

test('a batch the server refuses (400) is reported at once; others go on', async () => {
  const errors: [WriteBatch, unknown][] = [];
  const ok: string[][] = [];
  let calls = 0;
  const writer = new BatchingWriter(
    async (b) => {
      if (++calls === 1) throw failure(400);
      ok.push([...b.lines]);
    },
    { batchSize: 2, error: (b, e) => errors.push([b, e]) },
  );
  await writer.write('t', lines(0, 4));
  await writer.flush();
  expect(errors).toHaveLength(1);
  expect(errors[0]![0].lines).toEqual(lines(0, 2));
  expect(errors[0]![0].attempts).toBe(1);
  expect(ok).toEqual([lines(2, 2)]);
  await writer.close();
});

test('a server that stays down exhausts the retries and reports every batch', async () => {
  const failed: WriteBatch[] = [];
  const writer = new BatchingWriter(
    async () => {
      throw failure(503);
    },
    {
      batchSize: 5,
      retryInterval: 1,
      maxRetries: 2,
      error: (b, e) => (failed.push(b), expect(e).toBeInstanceOf(OperationalError)),
    },
  );
  await writer.write('t', lines(0, 12));
  await writer.flush();
  expect(failed.map((b) => b.lines.length)).toEqual([5, 5, 2]);
  expect(failed.every((b) => b.attempts === 3)).toBe(true);
  expect(writer.pendingLines).toBe(0);
  await writer.close();
});

test('maxRetryTime bounds the time spent on one batch', async () => {
  const failed: WriteBatch[] = [];
  const writer = new BatchingWriter(
    async () => {
      throw failure(429, { retryAfterMs: 50 });
    },
    { batchSize: 1, maxRetries: 100, maxRetryTime: 120, error: (b) => failed.push(b) },
  );
  await writer.write('t', ['m v=1']);
  await writer.flush();
  expect(failed[0]!.attempts).toBeLessThanOrEqual(3);
  await writer.close();
});

test('a full buffer makes write() wait (back-pressure), never drops lines', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const delivered: string[] = [];
  const writer = new BatchingWriter(
    async (b) => {
      await gate;
      delivered.push(...b.lines);
    },
    { batchSize: 2, maxBufferLines: 4, flushInterval: 5 },
  );
  await writer.write('t', lines(0, 4));
  let done = false;
  const blocked = writer.write('t', lines(4, 2)).then(() => (done = true));
  await new Promise((r) => setTimeout(r, 30));
  expect(done).toBe(false);
  expect(writer.pendingLines).toBe(4);
  release();
  await blocked;
  await writer.close();
  expect(delivered).toEqual(lines(0, 6));
});

test('close() waits for in-flight batches; maxCloseWait abandons the rest and reports them', async () => {
  const delivered: string[] = [];
  const slow = new BatchingWriter(
    async (b) => {
      await new Promise((r) => setTimeout(r, 40));
      delivered.push(...b.lines);
    },
    { batchSize: 2 },
  );
  await slow.write('t', lines(0, 3));
  await slow.close();
  expect(delivered).toEqual(lines(0, 3));
  await expect(slow.write('t', ['x v=1'])).rejects.toThrow(/closed/);

  const abandoned: WriteBatch[] = [];
  const stuck = new BatchingWriter(
    (_b, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(failure()))),
    { batchSize: 1, maxCloseWait: 30, error: (b) => abandoned.push(b) },
  );
  await stuck.write('t', lines(0, 3));
  await stuck.close();
  expect(abandoned.flatMap((b) => b.lines).sort()).toEqual(lines(0, 3));
});

test('options are checked', () => {
  expect(() => new BatchingWriter(async () => undefined, { batchSize: 0 })).toThrow(ProgrammingError);
  expect(() => new BatchingWriter(async () => undefined, { maxRetries: -1 })).toThrow(ProgrammingError);
  expect(() => new BatchingWriter(async () => undefined, { batchSize: 10, maxBufferLines: 5 })).toThrow(
    ProgrammingError,
  );
  // A batch larger than the default buffer is no error when the buffer was not set, in either mode.
  expect(() => new BatchingWriter(async () => undefined, { batchSize: 200_000 })).not.toThrow();
  expect(resolveBatching({ batching: false, batchSize: 200_000 })).toBe(false);
});

test('Retry-After in seconds or as an HTTP date', () => {
  expect(parseRetryAfter('3')).toBe(3000);
  expect(parseRetryAfter('0.5')).toBe(500);
  const now = Date.UTC(2026, 0, 1);
  expect(parseRetryAfter(new Date(now + 7000).toUTCString(), now)).toBe(7000);
  expect(parseRetryAfter('soon')).toBeUndefined();
  expect(parseRetryAfter(undefined)).toBeUndefined();
});

describe('batch settings mean batching, as influxdb3-python WriteOptions', () => {
  test.each([
    [{}, false],
    [{ batching: true }, true],
    [{ batching: false }, false],
    [{ batchSize: 10 }, true],
    [{ flushInterval: 10 }, true],
    [{ jitterInterval: 10 }, true],
    [{ retryInterval: 10 }, true],
    [{ maxRetries: 1 }, true],
    [{ maxRetryDelay: 1 }, true],
    [{ maxRetryTime: 1 }, true],
    [{ exponentialBase: 3 }, true],
    [{ maxBufferLines: 5000 }, true],
    [{ maxCloseWait: 10 }, true],
    [{ success: () => undefined }, true],
    [{ error: () => undefined }, true],
    [{ retry: () => undefined }, true],
    [{ gzipThreshold: 0 }, false],
    [{ batchSize: undefined }, false],
    // Size and retries also shape writes sent at once.
    [{ batching: false, batchSize: 10, maxRetries: 2, retryInterval: 5, jitterInterval: 1 }, false],
  ])('%j batches: %s', (options, batching) => {
    expect(resolveBatching(options)).toBe(batching);
  });

  test.each(['flushInterval', 'maxBufferLines', 'maxCloseWait', 'success', 'error'])(
    'batching: false with %s is a ProgrammingError',
    (key) => {
      const value = key === 'success' || key === 'error' ? () => undefined : 5000;
      expect(() => resolveBatching({ batching: false, [key]: value })).toThrow(ProgrammingError);
      expect(() => resolveBatching({ batching: false, [key]: value })).toThrow(
        new RegExp(`batching is false, but ${key} only applies to batching`),
      );
    },
  );
});

describe('the exit guard', () => {
  test('one pair of process listeners for any number of writers, only while they hold lines', async () => {
    const before = [process.listenerCount('beforeExit'), process.listenerCount('exit')];
    const sent: number[] = [];
    const writers = Array.from(
      { length: 50 },
      () => new BatchingWriter(async (b) => void sent.push(b.lines.length), { flushInterval: 60_000 }),
    );
    for (const w of writers) await w.write('t', lines(0, 2));
    expect(guardedWriters()).toBe(50);
    expect([process.listenerCount('beforeExit'), process.listenerCount('exit')]).toEqual([
      before[0]! + 1,
      before[1]! + 1,
    ]);
    // What beforeExit does: every writer sends what it holds; then the listeners go.
    process.emit('beforeExit', 0);
    await Promise.all(writers.map((w) => w.flush()));
    expect(sent).toEqual(new Array(50).fill(2));
    expect(guardedWriters()).toBe(0);
    expect([process.listenerCount('beforeExit'), process.listenerCount('exit')]).toEqual(before);
    await Promise.all(writers.map((w) => w.close()));
  });

  test('at exit, what is held goes to the error callback (open, queued and in-flight batches)', async () => {
    const failed: [number, string][] = [];
    let release: () => void = () => undefined;
    let stuck = true;
    const writer = new BatchingWriter(
      () => (stuck ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()),
      { batchSize: 2, flushInterval: 60_000, error: (b, e) => failed.push([b.lines.length, String(e)]) },
    );
    await writer.write('t', lines(0, 5)); // two full batches (one in flight), one open line
    writer.reportAtExit();
    expect(failed.map(([n]) => n)).toEqual([2, 2, 1]);
    expect(failed[0]![1]).toMatch(/OperationalError: the process exited before this batch was written/);
    stuck = false;
    release();
    await writer.close();
  });
});
