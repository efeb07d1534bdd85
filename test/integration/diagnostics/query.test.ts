/**
 * flightsql:query against the embedded server: one trace per statement, from the call until its
 * result has been read, closed or failed, with exact row counts.
 */
import { Int32, Table, Utf8, vectorFromArray } from 'apache-arrow';
import knex, { type Knex } from 'knex';
import FlightSQLDialect from '../../../dialect';
import { OperationalError, ProgrammingError } from '../../../src';
import { connect } from '../../../src/dbapi';
import { useServer } from '../fixture';
import { COMPLETED, FAILED, record, type Recorder } from './record';

const N = 10_000;
const RANGE = `SELECT range AS i FROM range(${N})`;
const HUGE = 'SELECT range AS i FROM range(1000000000)';

describe('flightsql:query', () => {
  const fx = useServer();
  let rec: Recorder;
  beforeEach(() => (rec = record(['flightsql:query'])));
  afterEach(() => rec.stop());
  const calls = () => rec.calls('flightsql:query');

  test('execute then doGet: the trace stays open until the stream is read, then counts every row', async () => {
    const info = await fx.client.execute(RANGE);
    expect(calls().map((c) => c.events)).toEqual([['start', 'end']]);
    const reader = await fx.client.doGet(info.endpoints[0]!.ticket);
    const table = await reader.readAll();
    expect(table.numRows).toBe(N);
    const [call] = calls();
    expect(call!.events).toEqual(COMPLETED);
    expect(call!.context).toEqual({
      kind: 'query',
      sql: RANGE,
      command: 'CommandStatementQuery',
      server: fx.client.flight.location,
      rows: N,
      bytes: reader.bytesReceived,
      state: 'done',
    });
    // int64 values alone are 8 bytes a row; the schema and headers come on top.
    expect(call!.context['bytes']).toBeGreaterThan(N * 8);
    expect(rec.events[0]!.snapshot).toEqual({
      kind: 'query',
      sql: RANGE,
      command: 'CommandStatementQuery',
      server: fx.client.flight.location,
    });
  });

  test('readFlightInfo owns the trace: it ends when the reader has read everything', async () => {
    const info = await fx.client.execute(RANGE);
    let rows = 0;
    for await (const batch of fx.client.readFlightInfo(info)) rows += batch.numRows;
    expect(rows).toBe(N);
    expect(calls().map((c) => [c.events, c.context['rows'], c.context['state']])).toEqual([
      [COMPLETED, N, 'done'],
    ]);
  });

  test('a Cursor execute + fetchall is one query trace; with parameters, a prepare and one query', async () => {
    const conn = await connect({ host: fx.server.location });
    try {
      const cursor = conn.cursor();
      rec.clear();
      await cursor.execute(RANGE);
      expect(await cursor.fetchall()).toHaveLength(N);
      expect(calls().map((c) => [c.context['kind'], c.context['sql'], c.events, c.context['rows']])).toEqual([
        ['query', RANGE, COMPLETED, N],
      ]);

      rec.clear();
      const sql = 'SELECT range AS i FROM range(100) WHERE range < ?';
      await cursor.execute(sql, [42]);
      expect(await cursor.fetchall()).toHaveLength(42);
      expect(
        calls().map((c) => [c.context['kind'], c.context['command'], c.events, c.context['rows']]),
      ).toEqual([
        ['prepare', 'CreatePreparedStatement', COMPLETED, undefined],
        ['query', 'CommandPreparedStatementQuery', COMPLETED, 42],
      ]);
      expect(calls()[1]!.context).toMatchObject({ sql, prepared: true, state: 'done' });
    } finally {
      await conn.close();
    }
  });

  test('a Knex query, and a Knex stream, are one query trace each', async () => {
    const db = knex({ client: FlightSQLDialect, connection: { host: fx.server.location } } as Knex.Config);
    try {
      await db.raw('SELECT 1'); // the pool's connection and its first statement
      rec.clear();
      const rows = await db
        .select('i')
        .from(db.raw('(SELECT range AS i FROM range(300)) AS r'))
        .where('i', '<', 200);
      expect(rows).toHaveLength(200);
      let streamed = 0;
      for await (const _ of db.select('i').from(db.raw('(SELECT range AS i FROM range(300)) AS r')).stream())
        streamed++;
      expect(streamed).toBe(300);
      expect(calls().map((c) => [c.context['kind'], c.events, c.context['rows']])).toEqual([
        ['prepare', COMPLETED, undefined],
        ['query', COMPLETED, 200],
        ['query', COMPLETED, 300],
      ]);
    } finally {
      await db.destroy();
    }
  });

  test('updates and prepared updates publish the affected row count', async () => {
    await fx.client.executeUpdate('CREATE TABLE traced (id INTEGER, name VARCHAR)');
    expect(await fx.client.executeUpdate("INSERT INTO traced VALUES (1, 'a'), (2, 'b'), (3, 'c')")).toBe(3);
    const statement = await fx.client.prepare('INSERT INTO traced VALUES (?, ?)');
    expect(await statement.executeUpdate([[4, 'd']])).toBe(1);
    await statement.close();
    expect(
      calls().map((c) => [c.context['kind'], c.context['command'], c.events, c.context['affectedRows']]),
    ).toEqual([
      ['update', 'CommandStatementUpdate', COMPLETED, 0],
      ['update', 'CommandStatementUpdate', COMPLETED, 3],
      ['prepare', 'CreatePreparedStatement', COMPLETED, undefined],
      ['update', 'CommandPreparedStatementUpdate', COMPLETED, 1],
    ]);
    expect(calls()[3]!.context).toEqual({
      kind: 'update',
      sql: 'INSERT INTO traced VALUES (?, ?)',
      command: 'CommandPreparedStatementUpdate',
      server: fx.client.flight.location,
      prepared: true,
      affectedRows: 1,
      state: 'done',
    });
  });

  test('metadata: getTables counts its rows; the stream form ends with its stream', async () => {
    await fx.exec('CREATE TABLE meta_a (x INTEGER); CREATE TABLE meta_b (y INTEGER)');
    const tables = await fx.client.getTables({ tableNameFilterPattern: 'meta_%' });
    expect(tables.map((t) => t.tableName).sort()).toEqual(['meta_a', 'meta_b']);
    const [call] = calls();
    expect(call!.events).toEqual(COMPLETED);
    expect(call!.context).toMatchObject({
      kind: 'metadata',
      sql: undefined,
      command: 'CommandGetTables',
      rows: 2,
      state: 'done',
    });
    expect(call!.context['bytes']).toBeGreaterThan(0);

    rec.clear();
    const reader = await fx.client.getTableTypesReader();
    expect(calls().map((c) => c.events)).toEqual([['start', 'end']]);
    const types = await reader.readAll();
    expect(calls().map((c) => [c.context['command'], c.events, c.context['rows']])).toEqual([
      ['CommandGetTableTypes', COMPLETED, types.numRows],
    ]);
  });

  test('ingest names its table and the rows the server inserted', async () => {
    const data = new Table({
      id: vectorFromArray(Int32Array.from([1, 2])),
      name: vectorFromArray(['a', 'b'], new Utf8()),
    });
    expect(data.schema.fields[0]!.type).toBeInstanceOf(Int32);
    expect(await fx.client.executeIngest(data, { table: 'ingested' })).toBe(2);
    expect(calls().map((c) => c.context)).toEqual([
      {
        kind: 'ingest',
        sql: undefined,
        command: 'CommandStatementIngest',
        server: fx.client.flight.location,
        table: 'ingested',
        affectedRows: 2,
        state: 'done',
      },
    ]);
  });

  test('bad SQL: an error event with the ProgrammingError the caller got', async () => {
    const err = await fx.client.execute('SELEC nothing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProgrammingError);
    const [call] = calls();
    expect(call!.events).toEqual(FAILED);
    expect(call!.context['error']).toBe(err);
    expect(call!.context['state']).toBe('failed');
    const errorEvent = rec.events.find((e) => e.event === 'error')!;
    expect(errorEvent.snapshot['error']).toBe(err);

    rec.clear();
    const update = await fx.client.executeUpdate('INSERT INTO nowhere VALUES (1)').catch((e: unknown) => e);
    expect(update).toBeInstanceOf(ProgrammingError);
    expect(calls().map((c) => [c.context['kind'], c.events, c.context['error']])).toEqual([
      ['update', FAILED, update],
    ]);
  });

  test('a stream cancelled after one batch: cancelled, no error, the rows it got', async () => {
    const info = await fx.client.execute(HUGE);
    const reader = await fx.client.doGet(info.endpoints[0]!.ticket);
    const first = await reader.readChunk();
    reader.cancel('enough');
    const [call] = calls();
    expect(call!.events).toEqual(COMPLETED);
    expect(call!.context).toMatchObject({ state: 'cancelled', rows: first!.data!.numRows });
    expect(call!.context['error']).toBeUndefined();

    rec.clear();
    const info2 = await fx.client.execute(HUGE);
    let taken = 0;
    for await (const batch of fx.client.readFlightInfo(info2)) {
      taken = batch.numRows;
      break;
    }
    expect(calls().map((c) => [c.events, c.context['state'], c.context['rows']])).toEqual([
      [COMPLETED, 'cancelled', taken],
    ]);
  });

  test('an aborted read: an error event with the error the reader threw', async () => {
    const controller = new AbortController();
    const info = await fx.client.execute(HUGE);
    const reader = fx.client.readFlightInfo(info, { signal: controller.signal });
    const err = await (async () => {
      for await (const _ of reader) controller.abort(new Error('stop'));
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    const [call] = calls();
    expect(call!.events).toEqual(FAILED);
    expect(call!.context['error']).toBe(err);
    // An AbortError (the signal's doing) is a cancellation; any other error a failure.
    expect(call!.context['state']).toBe((err as Error).name === 'AbortError' ? 'cancelled' : 'failed');
  });

  test('without subscribers nothing is traced, and results are the same', async () => {
    rec.stop();
    const probe = record(['flightsql:connection']); // another channel: the query channel stays silent
    try {
      const info = await fx.client.execute(RANGE);
      expect((await fx.client.readFlightInfo(info).readAll()).numRows).toBe(N);
      expect(probe.events).toEqual([]);
      expect(rec.events).toEqual([]);
    } finally {
      probe.stop();
    }
  });
});

describe('flightsql:query over several endpoints', () => {
  const fx = useServer({ partitions: 3 });
  let rec: Recorder;
  beforeEach(() => (rec = record(['flightsql:query'])));
  afterEach(() => rec.stop());
  const calls = () => rec.calls('flightsql:query');
  const sql = 'SELECT range AS i FROM range(500)';

  test('read by DoGets of each endpoint, the trace ends when the last stream is done', async () => {
    const info = await fx.client.execute(sql);
    expect(info.endpoints).toHaveLength(3);
    let rows = 0;
    for (const endpoint of info.endpoints) {
      expect(calls()[0]!.events).toEqual(['start', 'end']);
      rows += (await (await fx.client.doGet(endpoint.ticket)).readAll()).numRows;
    }
    expect(rows).toBe(500); // the shares split the result
    expect(calls().map((c) => [c.events, c.context['state'], c.context['rows']])).toEqual([
      [COMPLETED, 'done', rows],
    ]);
  });

  test('read by readFlightInfo, one trace with the rows of every endpoint', async () => {
    const info = await fx.client.execute(sql);
    expect((await fx.client.readFlightInfo(info).readAll()).numRows).toBe(500);
    expect(calls().map((c) => [c.events, c.context['rows']])).toEqual([[COMPLETED, 500]]);
  });
});
