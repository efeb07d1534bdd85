/**
 * The pool through a server restart under load: eight workers loop queries through a pool of
 * four while the embedded server stops and a new one starts on the same port. During the
 * outage calls fail fast with OperationalError (no hang, no wrong row); after it the pool
 * replaces its broken connections by itself and every query succeeds; end() closes them all.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { createPool, OperationalError, type Connection, type Row } from '../../../src';
import { startServer, type RunningServer } from '../../../src/server';

interface Outcome {
  readonly start: number;
  readonly end: number;
  readonly error?: unknown;
  /** For a success: whether the rows were the right ones. */
  readonly correct?: boolean;
}

const servers: RunningServer[] = [];
/** Stops the load and ends the pool, should the test fail half-way. */
let stopLoad: (() => Promise<void>) | undefined;
afterAll(async () => {
  await stopLoad?.();
  await Promise.all(servers.map((s) => s.close()));
});

/** The sockets and listeners that keep the event loop alive. */
const handles = () => process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP'));

test('a server restart in the middle of concurrent load: fast OperationalErrors, then recovery', async () => {
  const baseline = handles();
  const first = await startServer();
  servers.push(first);
  const port = first.port;
  const pool = createPool(first.location, { max: 4, acquireTimeoutMillis: 5000 });
  let mostOpen = 0;
  const opened: Connection<Row>[] = [];
  let removed = 0;
  pool.on('acquire', () => (mostOpen = Math.max(mostOpen, pool.totalCount)));
  pool.on('connect', (connection) => opened.push(connection));
  pool.on('remove', () => removed++);
  const outcomes: Outcome[] = [];
  let stop = false;
  const worker = async (w: number) => {
    for (let n = 0; !stop; n++) {
      const start = Date.now();
      const value = w * 100_000 + n;
      try {
        // Half with parameters (a prepared statement: more calls that the outage can cut), half literal.
        const { rows } =
          n % 2 === 0
            ? await pool.query('SELECT ?::INTEGER AS w, ?::INTEGER AS n, ?::BIGINT * 2 AS twice', [
                w,
                n,
                value,
              ])
            : await pool.query(
                `SELECT ${w}::INTEGER AS w, ${n}::INTEGER AS n, ${value}::BIGINT * 2 AS twice`,
              );
        const correct = isDeepStrictEqual(rows, [[w, n, BigInt(value * 2)]]);
        outcomes.push({ start, end: Date.now(), correct });
      } catch (error) {
        outcomes.push({ start, end: Date.now(), error });
        await sleep(10); // as an application would before trying again
      }
    }
  };
  const successes = (since: number) => outcomes.filter((o) => !o.error && o.start >= since).length;
  const until = async (done: () => boolean, what: string) => {
    for (const started = Date.now(); !done(); await sleep(10)) {
      if (Date.now() - started > 8000) throw new Error(`timed out waiting for ${what}`);
    }
  };

  const workers = Array.from({ length: 8 }, (_, w) => worker(w));
  stopLoad = async () => {
    stop = true;
    await Promise.all(workers);
    await pool.end({ timeoutMs: 0 });
  };
  await until(() => successes(0) >= 24, '24 queries before the restart');
  await first.close();
  const downAt = Date.now();
  await until(
    () => outcomes.filter((o) => o.error && o.start >= downAt).length >= 16,
    '16 failed queries during the outage',
  );
  const second = await startServer({ port });
  servers.push(second);
  const upAt = Date.now();
  await until(() => successes(upAt) >= 60, '60 queries after the restart');
  stop = true;
  await Promise.all(workers);

  // No wrong rows; every failure an OperationalError, none slow (no hang on a dead server).
  expect(outcomes.filter((o) => !o.error && !o.correct)).toEqual([]);
  const failures = outcomes.filter((o) => o.error);
  expect(failures.filter((o) => !(o.error instanceof OperationalError)).map((o) => o.error)).toEqual([]);
  expect(Math.max(...failures.map((o) => o.end - o.start))).toBeLessThan(4000);
  // Calls made while nothing listened all failed; every call begun after the restart succeeded.
  const duringOutage = outcomes.filter((o) => o.start >= downAt && o.end <= upAt);
  expect(duringOutage.length).toBeGreaterThanOrEqual(16);
  expect(duringOutage.filter((o) => !o.error)).toEqual([]);
  expect(outcomes.filter((o) => o.start >= upAt && o.error).map((o) => o.error)).toEqual([]);
  expect(mostOpen).toBeLessThanOrEqual(4);

  // Still healthy, then closed: every connection it opened is closed, and once the servers are
  // gone nothing is left that would keep the process alive (what jest's --detectOpenHandles sees).
  const again = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.query('SELECT ?::INTEGER', [i])));
  expect(again.map((r) => r.rows[0]![0])).toEqual([...Array(20).keys()]);
  expect(pool.totalCount).toBeLessThanOrEqual(4);
  await pool.end();
  expect([pool.ended, pool.totalCount]).toEqual([true, 0]);
  expect(opened.length).toBeGreaterThan(4); // the broken ones were replaced
  expect(opened.filter((c) => !c.closed)).toEqual([]);
  expect(removed).toBe(opened.length);
  await Promise.all(servers.splice(0).map((s) => s.close()));
  // The servers' sockets finish closing in the next turns of the event loop.
  for (let i = 0; i < 100 && handles().length > baseline.length; i++) await sleep(20);
  // No more than before: sockets of earlier test files in this worker may have closed meanwhile.
  expect(handles().length).toBeLessThanOrEqual(baseline.length);
});
