/**
 * The pool against the embedded server: pool.query with parameters and row modes, statement
 * errors, transactions on a checked-out connection, 50 concurrent queries through 4
 * connections (counted by the pool and by the server's sockets), and a process that exits by
 * itself after end().
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { createPool, ProgrammingError, type Pool } from '../../../src';
import { startServer, type RunningServer } from '../../../src/server';
import { serverSockets } from '../sockets';

let server: RunningServer;
let pool: Pool;

beforeAll(async () => {
  server = await startServer();
  pool = createPool(server.location, { max: 4 });
  await pool.query('CREATE TABLE ledger (id INTEGER, amount DECIMAL(10, 2))');
});
afterAll(async () => {
  await pool?.end();
  await server?.close();
});

const ledger = async () => (await pool.query('SELECT id, amount FROM ledger ORDER BY id')).rows;

test('pool.query: parameters, rows as arrays by default or objects on request, description, rowCount', async () => {
  const result = await pool.query('SELECT ?::INTEGER + 1 AS n, ?::VARCHAR AS s', [41, 'x']);
  expect(result.rows).toEqual([[42, 'x']]);
  expect(result.rowCount).toBe(1);
  expect(result.description!.map(([name]) => name)).toEqual(['n', 's']);
  const objects = await pool.query('SELECT i, i * 2 AS twice FROM range(3) t(i)', [], { rowMode: 'object' });
  expect(objects.rows).toEqual([
    { i: 0n, twice: 0n },
    { i: 1n, twice: 2n },
    { i: 2n, twice: 4n },
  ]);
  expect(objects.rowCount).toBe(3);
});

test('pool.query: an update returns no rows and its count; a statement error keeps the connection', async () => {
  const insert = await pool.query('INSERT INTO ledger VALUES (?, ?), (?, ?)', [1, '1.50', 2, '2.25']);
  expect(insert).toEqual({ rows: [], rowCount: 2, description: null });
  const before = pool.totalCount;
  await expect(pool.query('SELEC 1')).rejects.toBeInstanceOf(ProgrammingError);
  await expect(pool.query('SELECT * FROM no_such_table')).rejects.toBeInstanceOf(ProgrammingError);
  expect(pool.totalCount).toBe(before);
  expect(pool.idleCount).toBe(before);
  expect(await ledger()).toEqual([
    [1, '1.50'],
    [2, '2.25'],
  ]);
  await pool.query('DELETE FROM ledger');
});

test('a transaction on a checked-out connection: invisible until commit; left open, rolled back at release', async () => {
  {
    await using conn = await pool.connect();
    conn.autocommit = false;
    await conn.cursor().execute('INSERT INTO ledger VALUES (?, ?)', [10, '10.00']);
    expect(conn.inTransaction).toBe(true);
    expect(await ledger()).toEqual([]); // another connection of the pool
    await conn.commit();
    expect(await ledger()).toEqual([[10, '10.00']]);
    await conn.cursor().execute('INSERT INTO ledger VALUES (?, ?)', [11, '11.00']);
    expect(conn.inTransaction).toBe(true);
  } // released with the transaction open
  expect(await ledger()).toEqual([[10, '10.00']]);
  // Every checkout starts from the pool's settings, whichever connection it gets.
  const all = await Promise.all([pool.connect(), pool.connect(), pool.connect(), pool.connect()]);
  expect(all.map((c) => [c.autocommit, c.inTransaction])).toEqual(Array(4).fill([true, false]));
  await Promise.all(all.map((c) => c.release()));
  await pool.query('DELETE FROM ledger');
});

test('50 concurrent queries with max 4: never more than 4 connections, by the pool and by the server', async () => {
  // An address of its own: a client elsewhere on this machine that dials 127.0.0.1 at a port
  // it once knew (another test's server, since closed) cannot land among these sockets.
  const busy = await startServer({ host: '127.0.0.2' });
  const small = createPool(busy.location, { max: 4 });
  let opened = 0;
  let mostOpen = 0;
  let mostSockets = 0;
  small.on('connect', () => opened++);
  small.on('acquire', () => {
    mostOpen = Math.max(mostOpen, small.totalCount);
    mostSockets = Math.max(mostSockets, serverSockets(busy.port, busy.host));
  });
  try {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        small.query('SELECT ?::INTEGER AS i, sum(x)::BIGINT AS total FROM range(?::INTEGER) t(x)', [
          i,
          i * 1000,
        ]),
      ),
    );
    results.forEach(({ rows }, i) =>
      expect(rows).toEqual([[i, i === 0 ? null : BigInt((i * 1000 * (i * 1000 - 1)) / 2)]]),
    );
    expect([opened, mostOpen, small.totalCount, small.idleCount, small.waitingCount]).toEqual([
      4, 4, 4, 4, 0,
    ]);
    expect(mostSockets).toBeGreaterThanOrEqual(1);
    expect(mostSockets).toBeLessThanOrEqual(4);
    expect(serverSockets(busy.port, busy.host)).toBe(4);
  } finally {
    await small.end();
    await busy.close();
  }
});

test('a process using a pool exits by itself after end(), holding no sockets or timers', async () => {
  const script = `
    const { createPool } = require('./src/index.ts');
    (async () => {
      const pool = createPool(process.argv[1], { max: 3, idleTimeoutMillis: 60000 });
      const rows = await Promise.all([1, 2, 3, 4, 5, 6].map(async (i) => (await pool.query('SELECT ?::INTEGER AS i', [i])).rows[0][0]));
      await pool.end();
      // Sockets and timers would hold the process (a queued setImmediate of grpc-js's closing does not).
      await new Promise((resolve) => setTimeout(resolve, 20));
      const held = process.getActiveResourcesInfo().filter((r) => /^TCP|Timeout/.test(r));
      console.log(JSON.stringify({ rows, total: pool.totalCount, held }));
    })();
  `;
  const started = Date.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', '-e', script, server.location],
        { cwd: join(__dirname, '../../..'), encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' },
        (_err, out, err) => resolve({ code: child.exitCode, stdout: out, stderr: err }),
      );
    },
  );
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(JSON.parse(stdout)).toEqual({ rows: [1, 2, 3, 4, 5, 6], total: 0, held: [] });
  // Killed at 30 s otherwise; loading the sources through tsx takes a few seconds.
  expect(Date.now() - started).toBeLessThan(15_000);
});
