/**
 * Pooled DuckDB connections (DuckDBEngine): a read that ran to its end leaves its connection for
 * the next call, and nothing a call does on a connection ever reaches another call: the database
 * a header names, `USE`, temporary tables, an open or failed transaction, a prepared statement's
 * bindings, a query stopped half-way. Every call below runs several times, so that it lands on a
 * reused connection.
 */
import { Schema } from 'apache-arrow';
import { FlightSQLClient } from '../../../src';
import { startServer, type RunningServer } from '../../../src/server';
import { queryTable } from '../fixture';

let server: RunningServer;
let client: FlightSQLClient;
let inDb: FlightSQLClient;

beforeAll(async () => {
  server = await startServer({});
  client = new FlightSQLClient({ host: server.location });
  inDb = new FlightSQLClient({ host: server.location, metadata: { database: 'db1' } });
  await client.executeUpdate('CREATE SCHEMA db1');
  await client.executeUpdate("CREATE TABLE db1.t AS SELECT 'db1' AS v");
  await client.executeUpdate("CREATE TABLE main.t AS SELECT 'main' AS v");
  await client.executeUpdate('CREATE TABLE counted (a INTEGER)');
});
afterAll(async () => {
  await client.close();
  await inDb.close();
  await server.close();
});

async function rows(c: FlightSQLClient, sql: string): Promise<unknown[][]> {
  const table = await queryTable(c, sql);
  return table.toArray().map((r: { toArray(): unknown[] }) => r.toArray());
}

/** A JSON ticket (InfluxDB's) straight to DoGet: runs what GetFlightInfo would refuse to prepare. */
async function jsonTicket(sql: string, database?: string): Promise<unknown[][]> {
  const ticket = Buffer.from(JSON.stringify({ sql_query: sql, query_type: 'sql', database }));
  const table = await (await client.doGet({ ticket })).readAll();
  return table.toArray().map((r: { toArray(): unknown[] }) => r.toArray());
}

test('reads reuse connections, and at most a few stay idle', async () => {
  for (let i = 0; i < 5; i++) expect(await rows(client, 'SELECT 42')).toEqual([[42]]);
  expect(server.engine.idleConnections).toBeGreaterThan(0);
  await Promise.all(Array.from({ length: 12 }, () => rows(client, 'SELECT 1')));
  expect(server.engine.idleConnections).toBeLessThanOrEqual(4);
});

test('the database header never leaks to calls without it, nor the other way', async () => {
  for (let i = 0; i < 4; i++) {
    expect(await rows(inDb, 'SELECT v, current_schema() FROM t')).toEqual([['db1', 'db1']]);
    expect(await rows(client, 'SELECT v, current_schema() FROM t')).toEqual([['main', 'main']]);
    expect(await jsonTicket('SELECT v FROM t', 'db1')).toEqual([['db1']]);
    expect(await jsonTicket('SELECT v FROM t')).toEqual([['main']]);
  }
});

test('USE run by a call stays with that call', async () => {
  for (let i = 0; i < 3; i++) {
    await rows(client, 'USE db1');
    expect(await rows(client, 'SELECT v FROM t')).toEqual([['main']]);
    // Several statements in one ticket run one after the other, on a connection of their own.
    expect(await jsonTicket('USE db1; SELECT v FROM t')).toEqual([['db1']]);
    expect(await rows(client, 'SELECT v FROM t')).toEqual([['main']]);
  }
});

test('temporary tables and settings stay with the call that made them', async () => {
  await rows(client, 'CREATE TEMP TABLE scratch AS SELECT 1 AS a');
  await rows(client, "SET VARIABLE leaked = 'yes'");
  await rows(client, 'PRAGMA enable_profiling');
  for (let i = 0; i < 3; i++) {
    await expect(rows(client, 'SELECT a FROM scratch')).rejects.toThrow(/scratch/);
    expect(await rows(client, "SELECT getvariable('leaked')")).toEqual([[null]]);
    expect(await rows(client, "SELECT current_setting('enable_profiling')")).toEqual([[null]]);
  }
});

test('a transaction begun by a call never holds later calls in its snapshot', async () => {
  await rows(client, 'BEGIN TRANSACTION');
  for (let i = 1; i <= 4; i++) {
    await client.executeUpdate('INSERT INTO counted VALUES (1)');
    expect(await rows(client, 'SELECT count(*)::INTEGER FROM counted')).toEqual([[i]]);
  }
});

test('a failed statement leaves the next calls working', async () => {
  for (let i = 0; i < 3; i++) {
    await expect(rows(client, "SELECT CAST('x' AS INTEGER)")).rejects.toThrow(/Conversion|convert/i);
    await expect(rows(client, 'SELECT * FROM no_such_table')).rejects.toThrow(/no_such_table/);
    expect(await rows(client, 'SELECT 7')).toEqual([[7]]);
  }
});

test('prepared statements bind their own parameters each time, between plain reads', async () => {
  await using stmt = await client.prepare('SELECT ?::INTEGER * 2 AS x');
  for (let i = 0; i < 4; i++) {
    const info = await stmt.execute([[i]]);
    const table = await (await client.doGet(info.endpoints[0]!.ticket)).readAll();
    expect(table.getChild('x')!.get(0)).toBe(i * 2);
    expect(await rows(client, 'SELECT NULL::INTEGER IS NULL')).toEqual([[true]]);
  }
});

test('parameters bound by one call are never those of the next', async () => {
  const sql = 'SELECT $a::INTEGER AS x';
  for (let i = 0; i < 3; i++) {
    const ticket = (params?: Record<string, unknown>) =>
      Buffer.from(JSON.stringify({ sql_query: sql, query_type: 'sql', ...(params ? { params } : {}) }));
    const bound = await (await client.doGet({ ticket: ticket({ a: 5 }) })).readAll();
    expect(bound.getChild('x')!.get(0)).toBe(5);
    await expect(client.doGet({ ticket: ticket() }).then((r) => r.readAll())).rejects.toThrow(/not provided/);
  }
});

test('a query stopped half-way (by the client) is not resumed by, or in the way of, the next', async () => {
  const big = 'SELECT a FROM range(10000000) t(a)';
  for (let i = 0; i < 3; i++) {
    const controller = new AbortController();
    const info = await client.execute(big);
    const reader = await client.doGet(info.endpoints[0]!.ticket, { signal: controller.signal });
    await reader.readChunk();
    controller.abort();
    await expect(reader.readAll()).rejects.toThrow();
    // Left early without an abort: the server sees the call cancelled.
    const early = await client.doGet((await client.execute(big)).endpoints[0]!.ticket);
    for await (const batch of early) if (batch.numRows > 0) break;
    expect(await rows(client, 'SELECT count(*)::INTEGER FROM range(10)')).toEqual([[10]]);
  }
  for (let i = 0; i < 100 && server.engine.runningQueries > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(server.engine.runningQueries).toBe(0);
});

test('a schema asked for before a table changes is not what a later read returns', async () => {
  await client.executeUpdate('CREATE TABLE shifting (a INTEGER)');
  await client.executeUpdate('INSERT INTO shifting VALUES (1)');
  const info = await client.execute('SELECT * FROM shifting');
  expect(info.schema.fields.map((f) => f.name)).toEqual(['a']);
  // The DoGet of that FlightInfo runs the statement GetFlightInfo prepared, as DuckDB rebinds it.
  await client.executeUpdate("ALTER TABLE shifting ADD COLUMN b VARCHAR DEFAULT 'b'");
  const table = await (await client.doGet(info.endpoints[0]!.ticket)).readAll();
  expect(table.schema.fields.map((f) => f.name)).toEqual(['a', 'b']);
  const again = await client.execute('SELECT * FROM shifting');
  expect(again.schema).toBeInstanceOf(Schema);
  expect(again.schema.fields.map((f) => f.name)).toEqual(['a', 'b']);
});
