/**
 * The embedded server answers each DoPut as soon as it can, whatever order the client writes,
 * half-closes and reads in. Arrow C++'s client (pyarrow, flightsql-dbapi) sends a statement
 * update's first message and reads the result before it half-closes; arrow-go half-closes
 * first; commands that carry data are answered after the data ends.
 */
import type { Client } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { makeData, RecordBatch, Schema, Struct, tableFromArrays } from 'apache-arrow';
import * as sql from '../../../src/proto/FlightSql';
import { queryTable, useServer } from '../fixture';
import { descriptorOf, rawClient, RawPut, recordCount, within } from './rawPut';

const fx = useServer();
let raw: Client;
beforeAll(() => {
  raw = rawClient(fx.server.port);
});
afterAll(() => raw.close());

/** Within this a prompt answer has come; a hang waits for the test's own timeout. */
const PROMPT_MS = 3000;
const NO_FIELDS = new Schema([]);

async function rows(query: string): Promise<unknown[]> {
  return (await queryTable(fx.client, query)).toArray().map((row) => ({ ...row }));
}

async function prepare(query: string): Promise<Uint8Array> {
  const statement = await fx.client.prepare(query);
  return statement.handle;
}

const update = (query: string) => descriptorOf('CommandStatementUpdate', { query });
const preparedUpdate = (handle: Uint8Array) =>
  descriptorOf('CommandPreparedStatementUpdate', { preparedStatementHandle: Buffer.from(handle) });

describe('Arrow C++ order: first message, read the result, then half-close', () => {
  beforeAll(() => fx.exec('CREATE TABLE cpp (x INTEGER)'));

  test('CommandStatementUpdate is answered before the half-close', async () => {
    const put = new RawPut(raw).start(update('INSERT INTO cpp VALUES (1), (2), (3)'), NO_FIELDS);
    const result = await within(put.result(), PROMPT_MS, 'statement update before the half-close');
    expect(recordCount(result)).toBe(3);
    put.end();
    expect((await put.status).code).toBe(status.OK);
    expect(put.results).toHaveLength(1);
    expect(await rows('SELECT x FROM cpp ORDER BY x')).toEqual([{ x: 1 }, { x: 2 }, { x: 3 }]);
  });

  test('a prepared update without parameters is answered before the half-close', async () => {
    const handle = await prepare('UPDATE cpp SET x = x * 10 WHERE x >= 2');
    const put = new RawPut(raw).start(preparedUpdate(handle), NO_FIELDS);
    const result = await within(put.result(), PROMPT_MS, 'prepared update before the half-close');
    expect(recordCount(result)).toBe(2);
    put.end();
    expect((await put.status).code).toBe(status.OK);
    expect(await rows('SELECT x FROM cpp ORDER BY x')).toEqual([{ x: 1 }, { x: 20 }, { x: 30 }]);
  });

  test('the server ends its side after the result, before the client half-closes', async () => {
    const put = new RawPut(raw).start(update('INSERT INTO cpp VALUES (4)'), NO_FIELDS);
    const done = await within(put.status, PROMPT_MS, 'status before the half-close');
    expect(done.code).toBe(status.OK);
    expect(put.results.map(recordCount)).toEqual([1]);
    put.end();
  });

  test('what the client sends after the result is dropped without error', async () => {
    const put = new RawPut(raw).start(update('INSERT INTO cpp VALUES (5)'), NO_FIELDS);
    expect(recordCount(await within(put.result(), PROMPT_MS, 'result'))).toBe(1);
    put.batch(tableFromArrays({ y: Int32Array.of(7, 8) }).batches[0]!);
    put.call.write({ descriptor: update('INSERT INTO cpp VALUES (666)') });
    put.end();
    expect((await put.status).code).toBe(status.OK);
    expect(await rows('SELECT count(*)::INTEGER AS n FROM cpp WHERE x IN (5, 666)')).toEqual([{ n: 1 }]);
  });

  test('a Substrait update is refused at once, like a Substrait query', async () => {
    const plan = { plan: Buffer.from('not a real plan'), version: '0.1.0' };
    const put = new RawPut(raw).start(descriptorOf('CommandStatementSubstraitPlan', { plan }), NO_FIELDS);
    const done = await within(put.status, PROMPT_MS, 'Substrait answer before the half-close');
    expect(done.code).toBe(status.UNIMPLEMENTED);
    expect(done.details).toMatch(/CommandStatementSubstraitPlan/);
    put.end();
    // Our client's Substrait query and update get the same answer.
    await expect(fx.client.executeSubstrait(plan)).rejects.toThrow(/CommandStatementSubstraitPlan/);
    await expect(fx.client.executeSubstraitUpdate(plan)).rejects.toThrow(/CommandStatementSubstraitPlan/);
  });

  test('a bad update is answered with its error before the half-close', async () => {
    const put = new RawPut(raw).start(update('INSERT INTO nowhere VALUES (1)'), NO_FIELDS);
    const done = await within(put.status, PROMPT_MS, 'error before the half-close');
    expect(done.code).toBe(status.NOT_FOUND);
    put.end();
  });

  test('a first message that is not Arrow is INVALID_ARGUMENT, answered at once', async () => {
    const put = new RawPut(raw);
    put.call.write({
      descriptor: update('INSERT INTO cpp VALUES (13)'),
      header: Buffer.from('not a flatbuffer'),
    });
    const done = await within(put.status, PROMPT_MS, 'error before the half-close');
    expect(done.code).toBe(status.INVALID_ARGUMENT);
    expect(done.details).toMatch(/malformed Arrow data/);
    put.end();
    expect(await rows('SELECT count(*)::INTEGER AS n FROM cpp WHERE x = 13')).toEqual([{ n: 0 }]);
  });

  test('many calls in a row, each half-closed only after its result', async () => {
    await fx.exec('CREATE TABLE many (i INTEGER)');
    for (let i = 0; i < 30; i++) {
      const put = new RawPut(raw).start(update(`INSERT INTO many VALUES (${i})`), NO_FIELDS);
      expect(recordCount(await within(put.result(), PROMPT_MS, `update ${i}`))).toBe(1);
      put.end();
      expect((await put.status).code).toBe(status.OK);
    }
    expect(await rows('SELECT count(*)::INTEGER AS n, sum(i)::INTEGER AS s FROM many')).toEqual([
      { n: 30, s: 435 },
    ]);
  });
});

describe('arrow-go and arrow-rs order: write, half-close, then read', () => {
  beforeAll(() => fx.exec('CREATE TABLE go (x INTEGER)'));

  test('CommandStatementUpdate as a bare descriptor (arrow-go, arrow-rs)', async () => {
    const put = new RawPut(raw).start(update('INSERT INTO go VALUES (1), (2)')).end();
    expect(recordCount(await put.result())).toBe(2);
    expect((await put.status).code).toBe(status.OK);
    expect(await rows('SELECT x FROM go ORDER BY x')).toEqual([{ x: 1 }, { x: 2 }]);
  });

  test('CommandStatementUpdate with an empty schema', async () => {
    const put = new RawPut(raw).start(update('DELETE FROM go WHERE x = 1'), NO_FIELDS).end();
    expect(recordCount(await put.result())).toBe(1);
    expect((await put.status).code).toBe(status.OK);
    expect(await rows('SELECT x FROM go')).toEqual([{ x: 2 }]);
  });

  test('a prepared update without parameters: empty schema and an empty batch (arrow-go)', async () => {
    const handle = await prepare('INSERT INTO go VALUES (3)');
    const empty = new RecordBatch(NO_FIELDS, makeData({ type: new Struct([]), length: 0, children: [] }));
    const put = new RawPut(raw).start(preparedUpdate(handle), NO_FIELDS).batch(empty).end();
    expect(recordCount(await put.result())).toBe(1);
    expect((await put.status).code).toBe(status.OK);
    expect(await rows('SELECT x FROM go ORDER BY x')).toEqual([{ x: 2 }, { x: 3 }]);
  });

  test('a prepared update as a bare descriptor runs with the parameters bound before (arrow-rs)', async () => {
    const handle = await prepare('INSERT INTO go VALUES ($1)');
    const params = tableFromArrays({ p: Int32Array.of(40, 50) });
    const bind = new RawPut(raw)
      .start(
        descriptorOf('CommandPreparedStatementQuery', { preparedStatementHandle: Buffer.from(handle) }),
        params.schema,
      )
      .batch(params.batches[0]!)
      .end();
    const bound = sql.DoPutPreparedStatementResult.decode((await bind.result()).appMetadata);
    expect(Buffer.from(bound.preparedStatementHandle!)).toEqual(Buffer.from(handle));
    const put = new RawPut(raw).start(preparedUpdate(handle)).end();
    expect(recordCount(await put.result())).toBe(2);
    expect(await rows('SELECT x FROM go ORDER BY x')).toEqual([{ x: 2 }, { x: 3 }, { x: 40 }, { x: 50 }]);
  });
});

describe('commands that carry data are answered after the data ends', () => {
  /** True when the call has produced nothing (no result, no status) within `ms`. */
  async function silentFor(put: RawPut, ms: number): Promise<boolean> {
    const early = await Promise.race([
      put.status.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), ms)),
    ]);
    return !early && put.results.length === 0;
  }

  test('ingest: every batch is inserted, the count comes after the half-close', async () => {
    const data = tableFromArrays({ id: Int32Array.of(1, 2, 3, 4, 5), name: ['a', 'b', 'c', 'd', 'e'] });
    const put = new RawPut(raw).start(
      descriptorOf('CommandStatementIngest', {
        table: 'ingested',
        tableDefinitionOptions: {
          ifNotExist:
            sql.CommandStatementIngest_TableDefinitionOptions_TableNotExistOption
              .TABLE_NOT_EXIST_OPTION_CREATE,
          ifExists:
            sql.CommandStatementIngest_TableDefinitionOptions_TableExistsOption.TABLE_EXISTS_OPTION_FAIL,
        },
      }),
      data.schema,
    );
    put.batch(data.slice(0, 2).batches[0]!);
    expect(await silentFor(put, 300)).toBe(true);
    put.batch(data.slice(2).batches[0]!).end();
    expect(recordCount(await put.result())).toBe(5);
    expect((await put.status).code).toBe(status.OK);
    expect(await rows('SELECT id, name FROM ingested ORDER BY id')).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
      { id: 3, name: 'c' },
      { id: 4, name: 'd' },
      { id: 5, name: 'e' },
    ]);
  });

  test('parameters bound to a prepared query: answered after the half-close, with the last batch', async () => {
    const statement = await fx.client.prepare('SELECT $1::INTEGER * 2 AS doubled');
    const params = tableFromArrays({ p: Int32Array.of(21) });
    const put = new RawPut(raw).start(
      descriptorOf('CommandPreparedStatementQuery', {
        preparedStatementHandle: Buffer.from(statement.handle),
      }),
      params.schema,
    );
    // A query takes one parameter row; the one row comes only after an empty batch and a pause.
    put.batch(params.slice(0, 0).batches[0]!);
    expect(await silentFor(put, 300)).toBe(true);
    put.batch(params.batches[0]!).end();
    const result = sql.DoPutPreparedStatementResult.decode((await put.result()).appMetadata);
    expect(Buffer.from(result.preparedStatementHandle!)).toEqual(Buffer.from(statement.handle));
    const info = await statement.execute();
    const table = await (await fx.client.doGet(info.endpoints[0]!.ticket)).readAll();
    expect(table.toArray().map((r) => ({ ...r }))).toEqual([{ doubled: 42 }]);
  });

  test('a prepared update with parameters runs once per row, after the half-close', async () => {
    await fx.exec('CREATE TABLE pu (x INTEGER)');
    const handle = await prepare('INSERT INTO pu VALUES ($1)');
    const params = tableFromArrays({ p: Int32Array.of(7, 8, 9) });
    // Arrow C++ order for data: the batches, DoneWriting (half-close), then the read.
    const put = new RawPut(raw).start(preparedUpdate(handle), params.schema);
    put.batch(params.slice(0, 2).batches[0]!);
    expect(await silentFor(put, 300)).toBe(true);
    put.batch(params.slice(2).batches[0]!).end();
    expect(recordCount(await put.result())).toBe(3);
    expect(await rows('SELECT x FROM pu ORDER BY x')).toEqual([{ x: 7 }, { x: 8 }, { x: 9 }]);
  });
});

describe('our FlightSQLClient', () => {
  test('executeUpdate, prepared executeUpdate with and without parameters, executeIngest', async () => {
    const client = fx.client;
    expect(await client.executeUpdate('CREATE TABLE ours (x INTEGER, s VARCHAR)')).toBe(0);
    expect(await client.executeUpdate("INSERT INTO ours VALUES (1, 'one'), (2, 'two')")).toBe(2);
    const insert = await client.prepare('INSERT INTO ours VALUES ($1, $2)');
    expect(
      await insert.executeUpdate([
        [3, 'three'],
        [4, 'four'],
      ]),
    ).toBe(2);
    const bump = await client.prepare('UPDATE ours SET x = x + 100 WHERE x > 3');
    expect(await bump.executeUpdate()).toBe(1);
    const data = tableFromArrays({ x: Int32Array.of(5, 6), s: ['five', 'six'] });
    expect(await client.executeIngest(data, { table: 'ours', mode: 'append' })).toBe(2);
    expect(await rows('SELECT x, s FROM ours ORDER BY x')).toEqual([
      { x: 1, s: 'one' },
      { x: 2, s: 'two' },
      { x: 3, s: 'three' },
      { x: 5, s: 'five' },
      { x: 6, s: 'six' },
      { x: 104, s: 'four' },
    ]);
    await insert.close();
    await bump.close();
  });
});
