/**
 * A DoPut client that goes away mid-call (a cancelled call, or a connection torn down) neither
 * stops the embedded server nor leaves half an upload behind: the next client is served.
 */
import type { Client } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { Schema, tableFromArrays } from 'apache-arrow';
import * as sql from '../../../src/proto/FlightSql';
import { queryTable, useServer } from '../fixture';
import { CuttablePut, descriptorOf, rawClient, RawPut, recordCount, within } from './rawPut';

const fx = useServer();
let raw: Client;
beforeAll(async () => {
  raw = rawClient(fx.server.port);
  await fx.exec('CREATE TABLE served (x INTEGER)');
});
afterAll(() => raw.close());

const ingestInto = (table: string) =>
  descriptorOf('CommandStatementIngest', {
    table,
    tableDefinitionOptions: {
      ifNotExist:
        sql.CommandStatementIngest_TableDefinitionOptions_TableNotExistOption.TABLE_NOT_EXIST_OPTION_CREATE,
      ifExists:
        sql.CommandStatementIngest_TableDefinitionOptions_TableExistsOption.TABLE_EXISTS_OPTION_APPEND,
    },
  });
const data = tableFromArrays({ id: Int32Array.of(1, 2, 3) });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function tableCount(name: string): Promise<number> {
  const table = await queryTable(
    fx.client,
    `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = '${name}'`,
  );
  return table.get(0)!['n'] as number;
}

let next = 0;
/** The next client is served: an update in Arrow C++ order and one by our own client. */
async function stillServes(): Promise<void> {
  const value = ++next;
  const put = new RawPut(raw).start(
    descriptorOf('CommandStatementUpdate', { query: `INSERT INTO served VALUES (${value})` }),
    new Schema([]),
  );
  expect(recordCount(await within(put.result(), 3000, 'the next update'))).toBe(1);
  put.end();
  expect((await put.status).code).toBe(status.OK);
  expect(await fx.client.executeUpdate(`UPDATE served SET x = -x WHERE x = ${value}`)).toBe(1);
  const rows = await queryTable(fx.client, `SELECT count(*)::INTEGER AS n FROM served WHERE x = ${-value}`);
  expect(rows.get(0)!['n']).toBe(1);
}

/**
 * The rows of `name`, or undefined when there is no such table. Node's HTTP/2 client sends
 * END_STREAM just before the RST_STREAM of a cancelled call (grpc-js cancel() and Node's own
 * stream close both do), so the server first sees a complete upload: what a cancelled call
 * leaves is either nothing or exactly what was sent, never more and never garbled.
 */
async function ids(name: string): Promise<number[] | undefined> {
  if ((await tableCount(name)) === 0) return undefined;
  const table = await queryTable(fx.client, `SELECT id FROM "${name}" ORDER BY id`);
  return table.toArray().map((row) => row['id'] as number);
}

test('a call cancelled after the first message of an ingest', async () => {
  const put = new RawPut(raw).start(ingestInto('cancelled_first'), data.schema);
  await pause(100);
  put.call.cancel();
  expect((await put.status).code).toBe(status.CANCELLED);
  await stillServes();
  expect([undefined, []]).toContainEqual(await ids('cancelled_first'));
});

test('a call cancelled in the middle of an ingest’s data', async () => {
  const put = new RawPut(raw).start(ingestInto('cancelled_middle'), data.schema);
  put.batch(data.slice(0, 2).batches[0]!);
  await pause(100);
  put.call.cancel();
  expect((await put.status).code).toBe(status.CANCELLED);
  await stillServes();
  expect([undefined, [1, 2]]).toContainEqual(await ids('cancelled_middle'));
});

test('a connection torn down after the first message of an ingest', async () => {
  const put = new CuttablePut(fx.server.port).start(ingestInto('cut_first'), data.schema);
  await put.flushed();
  await pause(100);
  put.cut();
  await stillServes();
  // A lost connection is no half-close: nothing of the upload is applied.
  expect(await ids('cut_first')).toBeUndefined();
});

test('a connection torn down in the middle of an ingest’s data', async () => {
  const put = new CuttablePut(fx.server.port).start(ingestInto('cut_middle'), data.schema);
  put.batch(data.slice(0, 2).batches[0]!);
  await put.flushed();
  await pause(100);
  put.cut();
  await stillServes();
  expect(await ids('cut_middle')).toBeUndefined();
});

test('a connection torn down while a prepared update waits for its parameters', async () => {
  await fx.exec('CREATE TABLE cut_params (x INTEGER)');
  const statement = await fx.client.prepare('INSERT INTO cut_params VALUES ($1)');
  const params = tableFromArrays({ p: Int32Array.of(1, 2) });
  const put = new CuttablePut(fx.server.port).start(
    descriptorOf('CommandPreparedStatementUpdate', {
      preparedStatementHandle: Buffer.from(statement.handle),
    }),
    params.schema,
  );
  await put.flushed();
  await pause(100);
  put.cut();
  await stillServes();
  const rows = await queryTable(fx.client, 'SELECT count(*)::INTEGER AS n FROM cut_params');
  expect(rows.get(0)!['n']).toBe(0);
  // The statement itself is still there for the next client.
  expect(await statement.executeUpdate([[5]])).toBe(1);
});

test('a connection torn down after a statement update’s first message, before its result', async () => {
  const put = new CuttablePut(fx.server.port).start(
    descriptorOf('CommandStatementUpdate', { query: 'CREATE TABLE cut_update AS SELECT 1 AS x' }),
    new Schema([]),
  );
  await put.flushed();
  put.cut();
  await stillServes();
});

test('a call cancelled while its update runs interrupts the statement', async () => {
  // Minutes of work if nothing interrupts it.
  const query =
    'CREATE TABLE slow AS SELECT sum(a.range * b.range) AS s FROM range(1000000) a, range(1000000) b';
  const put = new RawPut(raw).start(descriptorOf('CommandStatementUpdate', { query }), new Schema([]));
  await pause(300);
  expect(put.results).toHaveLength(0);
  put.call.cancel();
  expect((await put.status).code).toBe(status.CANCELLED);
  await stillServes();
  expect(await tableCount('slow')).toBe(0);
});
