/** The batching writer on its own, with a sender that fails on command (no server). */
import { BatchingWriter, parseRetryAfter, type WriteBatch } from '../../../src/influx/WriteApi';
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
});

test('Retry-After in seconds or as an HTTP date', () => {
  expect(parseRetryAfter('3')).toBe(3000);
  expect(parseRetryAfter('0.5')).toBe(500);
  const now = Date.UTC(2026, 0, 1);
  expect(parseRetryAfter(new Date(now + 7000).toUTCString(), now)).toBe(7000);
  expect(parseRetryAfter('soon')).toBeUndefined();
  expect(parseRetryAfter(undefined)).toBeUndefined();
});
