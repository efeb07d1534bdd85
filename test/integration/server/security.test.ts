/**
 * The embedded server is locked down by default: clients reach its tables and nothing of the
 * host (files, network, extensions, settings). `allowedDirectories` opens directories, and
 * `fullAccess` everything, for trusted local use.
 */
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { connect, FlightSQLClient, OperationalError } from '../../../src';
import { startServer, type RunningServer } from '../../../src/server';
import { queryTable } from '../fixture';

const root = mkdtempSync(join(tmpdir(), 'flightsql-security-'));
const open = join(root, 'open');
const closed = join(root, 'closed');
mkdirSync(open);
mkdirSync(closed);
writeFileSync(join(open, 'a.csv'), 'x,y\n1,2\n');
writeFileSync(join(closed, 'b.csv'), 'x,y\n3,4\n');
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function refusal(promise: Promise<unknown>): Promise<OperationalError> {
  try {
    await promise;
  } catch (err) {
    return err as OperationalError;
  }
  throw new Error('expected a refusal');
}

async function rowsOf(client: FlightSQLClient, sql: string): Promise<unknown[][]> {
  const table = await queryTable(client, sql);
  return table.toArray().map((row: { toJSON(): Record<string, unknown> }) => Object.values(row.toJSON()));
}

/** Runs `sql` as a query when it is one (its result read), else as an update. */
async function run(client: FlightSQLClient, sql: string): Promise<void> {
  if (/^\s*SELECT/i.test(sql)) await rowsOf(client, sql);
  else await client.executeUpdate(sql);
}

describe('default: clients reach nothing of the host', () => {
  let server: RunningServer;
  let client: FlightSQLClient;
  beforeAll(async () => {
    server = await startServer();
    client = new FlightSQLClient({ host: server.location });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  const hostile: readonly [string, string][] = [
    ['read_csv', "SELECT * FROM read_csv('/etc/passwd')"],
    ['read_text', "SELECT * FROM read_text('/etc/hostname')"],
    ['glob', "SELECT * FROM glob('/etc/*')"],
    ['read_parquet over https', "SELECT * FROM read_parquet('https://example.com/x.parquet')"],
    ['COPY TO', `COPY (SELECT 1) TO '${join(root, 'out.csv')}'`],
    ['ATTACH', `ATTACH '${join(root, 'new.duckdb')}' AS other`],
    ['EXPORT DATABASE', `EXPORT DATABASE '${join(root, 'export')}'`],
    ['INSTALL', 'INSTALL httpfs'],
    ['LOAD', 'LOAD spatial'],
    ['SET memory_limit', "SET memory_limit = '20MB'"],
    ['SET GLOBAL threads', 'SET GLOBAL threads = 1'],
    ['PRAGMA threads', 'PRAGMA threads = 1'],
    ['RESET', 'RESET memory_limit'],
    ['reopen external access', 'SET GLOBAL enable_external_access = true'],
    ['unlock', 'SET lock_configuration = false'],
  ];

  test.each(hostile)('%s is PERMISSION_DENIED with DuckDB’s message', async (_name, sql) => {
    const err = await refusal(run(client, sql));
    expect(err).toBeInstanceOf(OperationalError);
    expect(err.grpcCode).toBe(status.PERMISSION_DENIED);
    expect(err.message).toMatch(/Permission Error|configuration has been locked|disabled/);
  });

  test('no file was written', () => {
    expect(existsSync(join(root, 'out.csv'))).toBe(false);
    expect(existsSync(join(root, 'new.duckdb'))).toBe(false);
    expect(existsSync(join(root, 'export'))).toBe(false);
  });

  test('a refused SET leaves every client as it was', async () => {
    const other = new FlightSQLClient({ host: server.location });
    try {
      await refusal(client.executeUpdate("SET memory_limit = '1MB'"));
      const rows = await rowsOf(other, 'SELECT count(*)::INTEGER FROM range(2000000) t(i) WHERE i % 7 = 0');
      expect(rows).toEqual([[285715]]);
      const [[limit]] = (await rowsOf(other, "SELECT current_setting('memory_limit')")) as [[string]];
      expect(limit).not.toBe('1.0 MiB');
    } finally {
      await other.close();
    }
  });

  test('tables, USE and the PEP 249 layer work as before', async () => {
    await using c = await connect(server.location);
    const cursor = c.cursor();
    await cursor.execute('CREATE SCHEMA s; CREATE TABLE s.t AS SELECT 1 AS x; USE s');
    await cursor.execute('SELECT x FROM s.t');
    expect(await cursor.fetchall()).toEqual([[1]]);
    await c.commit();
  });
});

describe('allowedDirectories opens those directories only', () => {
  let server: RunningServer;
  let client: FlightSQLClient;
  beforeAll(async () => {
    server = await startServer({ allowedDirectories: [open] });
    client = new FlightSQLClient({ host: server.location });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  test('files under an allowed directory are read and written', async () => {
    expect(await rowsOf(client, `SELECT x, y FROM read_csv('${join(open, 'a.csv')}')`)).toEqual([[1n, 2n]]);
    await client.executeUpdate(`COPY (SELECT 42 AS answer) TO '${join(open, 'out.csv')}'`);
    expect(existsSync(join(open, 'out.csv'))).toBe(true);
  });

  test.each([
    ['a sibling directory', join(closed, 'b.csv')],
    ['a path escaping with ..', join(open, '..', 'closed', 'b.csv')],
    ['a directory sharing the prefix', `${open}x/a.csv`],
  ])('%s stays closed', async (_name, path) => {
    const err = await refusal(rowsOf(client, `SELECT * FROM read_csv('${path}')`));
    expect(err.grpcCode).toBe(status.PERMISSION_DENIED);
  });

  test('settings stay locked', async () => {
    const err = await refusal(client.executeUpdate('SET GLOBAL enable_external_access = true'));
    expect(err.grpcCode).toBe(status.PERMISSION_DENIED);
  });
});

test('an allowed directory that does not exist is refused at start, not silently opened to nothing', async () => {
  await expect(startServer({ allowedDirectories: [join(root, 'missing')] })).rejects.toThrow(
    /allowedDirectories: .*missing is not a directory/,
  );
});

test('fullAccess: clients reach files and settings (trusted local use)', async () => {
  const server = await startServer({ fullAccess: true });
  const client = new FlightSQLClient({ host: server.location });
  try {
    expect(await rowsOf(client, `SELECT y FROM read_csv('${join(closed, 'b.csv')}')`)).toEqual([[4n]]);
    await client.executeUpdate("SET memory_limit = '1GB'");
  } finally {
    await client.close();
    await server.close();
  }
});
