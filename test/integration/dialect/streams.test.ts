/**
 * `.stream()` cleans up at every moment: destroyed before a connection is acquired, while the
 * server computes the first batch, mid-stream, by leaving a `for await` early, and after an
 * error (the query's, or the consumer's own). Each time the server's running queries (the
 * embedded engine's `runningQueries`, not CPU) go back to none, and so do the pool's used
 * connections. A child process then checks that `db.destroy()` right after each ending throws
 * nothing later (streamProbe.ts).
 */
import { execFile } from 'node:child_process';
import { addAbortSignal } from 'node:stream';
import { join } from 'node:path';
import { promisify } from 'node:util';
import knex, { type Knex } from 'knex';
import FlightSQLDialect from '../../../dialect';
import { DataError } from '../../../src';
import { startServer, type RunningServer } from '../../../src/server';

/** Computes for hours before its first (and only) row. */
const SLOW = 'select sum(range) as s from range(10000000000000)';
/** Rows as long as anyone reads them. */
const ENDLESS = 'select range as n from range(1000000000000)';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: RunningServer;
let db: Knex;

beforeAll(async () => {
  server = await startServer();
  db = knex({ client: FlightSQLDialect, connection: server.location, log: { warn: () => undefined } });
  await db.raw('select 1'); // connected: the tests below count from a warm pool
});
afterAll(async () => {
  await db?.destroy();
  await server?.close();
});

/** Waits for `condition`, failing after `ms`. */
async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms`);
    await sleep(10);
  }
}

const running = () => server.engine.runningQueries;
const used = () => (db.client as { pool: { numUsed(): number } }).pool.numUsed();

/** Nothing runs on the server, no connection is in use, and the next query runs. */
async function cleanedUp(): Promise<void> {
  await until(() => running() === 0 && used() === 0, 5_000);
  expect((await db.raw('select 42 as n')).rows).toEqual([{ n: 42 }]);
}

test('destroyed before a connection is acquired: nothing runs at all', async () => {
  const stream = db.raw(SLOW).stream();
  stream.destroy();
  await sleep(300);
  expect(running()).toBe(0);
  await cleanedUp();
});

test('destroyed while the server computes the first batch: the query stops', async () => {
  const stream = db.raw(SLOW).stream();
  const errors: unknown[] = [];
  stream.on('error', (e) => errors.push(e));
  await until(() => running() === 1);
  await sleep(200); // well into the computation
  const destroyed = Date.now();
  stream.destroy();
  await cleanedUp();
  expect(Date.now() - destroyed).toBeLessThan(5_000);
  expect(errors).toEqual([]);
});

test('a for-await loop left (by an AbortSignal) before the first batch: the query stops', async () => {
  const controller = new AbortController();
  const stream = addAbortSignal(controller.signal, db.raw(SLOW).stream());
  const loop = (async () => {
    for await (const _row of stream);
  })();
  await until(() => running() === 1);
  controller.abort();
  await expect(loop).rejects.toThrow(/abort/i);
  await cleanedUp();
});

test('destroyed mid-stream, and a for-await loop left mid-stream: the query stops', async () => {
  const stream = db.raw(ENDLESS).stream();
  let rows = 0;
  await new Promise<void>((resolve) => {
    stream.on('data', () => {
      if (++rows === 5000) {
        stream.destroy();
        resolve();
      }
    });
  });
  await cleanedUp();

  rows = 0;
  for await (const row of db.raw(ENDLESS).stream()) {
    expect(row).toEqual({ n: BigInt(rows) });
    if (++rows === 5000) break;
  }
  await cleanedUp();
});

test('an error of the consumer mid-stream (postProcessResponse throws): the query stops', async () => {
  const failing = knex({
    client: FlightSQLDialect,
    connection: server.location,
    postProcessResponse: (row: { n?: bigint }) => {
      if (row?.n === 3000n) throw new Error('bad row');
      return row;
    },
  } as Knex.Config);
  try {
    let rows = 0;
    const loop = (async () => {
      for await (const _row of failing.raw(ENDLESS).stream()) rows++;
    })();
    await expect(loop).rejects.toThrow('bad row');
    expect(rows).toBe(3000);
    await until(() => running() === 0, 5_000);
    await until(() => (failing.client as { pool: { numUsed(): number } }).pool.numUsed() === 0, 5_000);
  } finally {
    await failing.destroy();
  }
});

test("the query's own error (a DataError): the loop rejects with it, the connection is free", async () => {
  const sql =
    "select (case when range < 100 then range::varchar else 'x' end)::integer as v from range(1000000)";
  const err = await (async () => {
    for await (const _row of db.raw(sql).stream());
  })().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DataError);
  await cleanedUp();
  // The handler form settles too.
  const handled = await db
    .raw(sql)
    .stream((stream) => stream.on('error', () => undefined))
    .then(
      () => 'settled',
      () => 'settled',
    );
  expect(handled).toBe('settled');
  await cleanedUp();
});

test('.stream() inside a transaction: leaving early stops the query, the transaction goes on', async () => {
  await db.transaction(async (trx) => {
    let rows = 0;
    for await (const _row of trx.raw(ENDLESS).stream()) if (++rows === 2000) break;
    await until(() => running() === 0, 5_000);
    expect((await trx.raw('select 7 as n')).rows).toEqual([{ n: 7 }]);
  });
  await cleanedUp();
});

describe('db.destroy() right after a stream ends: nothing throws later (a child process)', () => {
  const run = promisify(execFile);
  const probe = join(__dirname, 'streamProbe.ts');

  test.each([
    ['error-then-destroy', 'DataError'],
    ['destroy-before-first-batch', undefined],
    ['break-mid-stream', undefined],
    ['server-gone-mid-stream', 'OperationalError'],
  ])('%s', async (scenario, caught) => {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', probe, scenario], {
      cwd: join(__dirname, '../../..'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(stderr).not.toMatch(/uncaught|unhandled|TypeError/i);
    const out = JSON.parse(stdout.trim());
    expect(out).toEqual({ scenario, ...(caught ? { caught } : {}), runningQueries: 0 });
  });
});
