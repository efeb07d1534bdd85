/**
 * The Knex dialect against the embedded server: query-builder chains executed and their results
 * checked, bindings modes, streaming (with early destroy), and the built package's exports.
 */
import knex, { type Knex } from 'knex';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RecordBatch } from 'apache-arrow';
import FlightSQLDialect, { FlightSQLDialect as Named } from '../../../dialect';
import { IntegrityError, ProgrammingError } from '../../../src';
import { startServer, type RunningServer } from '../../../src/server';

let server: RunningServer;
let db: Knex;
const warnings: string[] = [];

beforeAll(async () => {
  server = await startServer();
  db = knex({
    client: FlightSQLDialect,
    connection: { host: server.location },
    log: { warn: (m: string) => warnings.push(m) },
  } as Knex.Config);
  await db.schema.createTable('rooms', (t) => {
    t.integer('id').primary();
    t.string('name').notNullable();
    t.integer('floor');
  });
  await db.schema.createTable('readings', (t) => {
    t.integer('id').primary();
    t.integer('room_id').references('rooms.id');
    t.double('temp');
    t.timestamp('at', { useTz: false });
  });
  await db('rooms').insert([
    { id: 1, name: 'Kitchen', floor: 0 },
    { id: 2, name: 'Living Room', floor: 0 },
    { id: 3, name: "Kid's room", floor: 1 },
  ]);
  const base = Date.UTC(2026, 0, 1);
  await db('readings').insert(
    Array.from({ length: 30 }, (_, i) => ({
      id: i + 1,
      room_id: (i % 3) + 1,
      temp: 20 + (i % 5),
      at: new Date(base + i * 60_000),
    })),
  );
});

afterAll(async () => {
  await db.destroy();
  await server.close();
});

test('the dialect is the default and a named export, and never claims to be postgresql', () => {
  expect(Named).toBe(FlightSQLDialect);
  expect(db.client.dialect).toBe('flightsql');
  expect(db.client.driverName).toBe('flightsql');
});

test('select, where variants, order, limit/offset', async () => {
  expect(await db('rooms').select('name').where('floor', 0).orderBy('id')).toEqual([
    { name: 'Kitchen' },
    { name: 'Living Room' },
  ]);
  expect(await db('rooms').whereIn('id', [1, 3]).orderBy('id', 'desc').pluck('name')).toEqual([
    "Kid's room",
    'Kitchen',
  ]);
  expect(await db('rooms').where('name', 'like', "Kid's%").first('id')).toEqual({ id: 3 });
  expect(await db('rooms').whereNull('floor').select('id')).toEqual([]);
  expect(await db('readings').whereBetween('id', [5, 7]).orderBy('id').pluck('id')).toEqual([5, 6, 7]);
  expect(await db('readings').orderBy('id').limit(2).offset(3).pluck('id')).toEqual([4, 5]);
  expect(
    await db('rooms')
      .where((q) => q.where('id', 1).orWhere('floor', 1))
      .orderBy('id')
      .pluck('id'),
  ).toEqual([1, 3]);
});

test('joins, group by / having, aggregates, subqueries, union, with', async () => {
  const perRoom = await db('readings as r')
    .join('rooms as m', 'm.id', 'r.room_id')
    .select('m.name')
    .count({ n: '*' })
    .avg({ avg: 'r.temp' })
    .groupBy('m.name')
    .having(db.raw('count(*) > ?', [5]))
    .orderBy('m.name');
  expect(perRoom).toEqual([
    { name: "Kid's room", n: 10n, avg: 22 },
    { name: 'Kitchen', n: 10n, avg: 22 },
    { name: 'Living Room', n: 10n, avg: 22 },
  ]);
  const hottest = await db('rooms')
    .whereIn('id', db('readings').where('temp', '>=', 24).select('room_id'))
    .orderBy('id')
    .pluck('id');
  expect(hottest).toEqual([1, 2, 3]);
  const union = await db('rooms')
    .select('id')
    .where('id', 1)
    .unionAll(db('rooms').select('id').where('id', 2));
  expect(union.map((r) => r.id).sort()).toEqual([1, 2]);
  const cte = await db
    .with('warm', db('readings').where('temp', '>', 22).select('room_id'))
    .from('warm')
    .countDistinct({ rooms: 'room_id' });
  expect(cte).toEqual([{ rooms: 3n }]);
  expect(await db('readings').max({ m: 'temp' }).min({ l: 'temp' }).sum({ s: 'id' })).toEqual([
    { m: 24, l: 20, s: '465' },
  ]);
});

test('raw with bindings returns the rows; identifiers with quotes are escaped', async () => {
  const result = await db.raw('select ?::integer as a, ?? as b from rooms where id = ?', [7, 'name', 1]);
  expect(result.rows).toEqual([{ a: 7, b: 'Kitchen' }]);
  await db.schema.createTable('odd "name"', (t) => t.integer('x"y'));
  await db('odd "name"').insert({ 'x"y': 1 });
  expect(await db('odd "name"').pluck('x"y')).toEqual([1]);
});

test('insert resolves to [] without RETURNING; update/del to counts; RETURNING where the engine has it', async () => {
  expect(await db('rooms').insert({ id: 10, name: 'Attic', floor: 2 })).toEqual([]);
  expect(await db('rooms').where('id', 10).update({ floor: 3 })).toBe(1);
  expect(await db('rooms').where('id', 999).update({ floor: 3 })).toBe(0);
  expect(await db('rooms').where('id', 10).increment('floor', 2)).toBe(1);
  expect(await db('rooms').where('id', 10).first('floor')).toEqual({ floor: 5 });
  // The embedded server is DuckDB: RETURNING is kept.
  expect(await db('rooms').insert({ id: 11, name: 'Cellar', floor: -1 }).returning(['id', 'name'])).toEqual([
    { id: 11, name: 'Cellar' },
  ]);
  expect(await db('rooms').where('id', 11).update({ name: 'Basement' }, ['name'])).toEqual([
    { name: 'Basement' },
  ]);
  expect(await db('rooms').whereIn('id', [10, 11]).del()).toBe(2);
});

test('bindings: values of every common type round-trip through prepared statements', async () => {
  await db.schema.createTable('vals', (t) => {
    t.integer('i');
    t.bigInteger('b');
    t.decimal('d', 10, 3);
    t.boolean('f');
    t.string('s');
    t.timestamp('ts', { useTz: false });
    t.date('day');
    t.binary('bin');
  });
  const row = {
    i: 1,
    b: 9007199254740993n,
    d: '12.345',
    f: true,
    s: "quote ' and back\\slash",
    ts: new Date('2026-02-03T04:05:06.789Z'),
    day: new Date('2026-02-03T00:00:00Z'),
    bin: new Uint8Array([0, 255, 39]),
  };
  await db('vals').insert(row);
  expect(await db('vals').first()).toEqual(row);
  expect(await db('vals').where({ s: row.s, b: row.b }).pluck('i')).toEqual([1]);
});

test('inline bindings mode writes correct literals (strings, timestamps, bytes, bigints)', async () => {
  const inline = knex({
    client: FlightSQLDialect,
    connection: { host: server.location },
    parameters: 'inline',
  } as Knex.Config);
  try {
    const ts = new Date('2026-02-03T04:05:06.789Z');
    await inline('vals').insert({
      i: 2,
      b: 2n ** 62n,
      s: "it's \\n not a newline",
      ts,
      bin: new Uint8Array([1, 2]),
    });
    expect(await inline('vals').where({ i: 2 }).first('b', 's', 'ts', 'bin')).toEqual({
      b: 2n ** 62n,
      s: "it's \\n not a newline",
      ts,
      bin: new Uint8Array([1, 2]),
    });
    expect(await inline('vals').where('s', "it's \\n not a newline").pluck('i')).toEqual([2]);
  } finally {
    await inline.destroy();
  }
});

test('auto bindings fall back to inline once, with a warning, on a server that cannot bind', async () => {
  const plain = await startServer({ preparedStatements: false });
  const seen: string[] = [];
  const auto = knex({
    client: FlightSQLDialect,
    connection: { host: plain.location },
    log: { warn: (m: string) => seen.push(m) },
  } as Knex.Config);
  const strict = knex({
    client: FlightSQLDialect,
    connection: { host: plain.location },
    parameters: 'prepared',
  } as Knex.Config);
  try {
    await auto.schema.createTable('t', (t) => t.integer('n'));
    await auto('t').insert([{ n: 1 }, { n: 2 }]);
    expect(await auto('t').where('n', '>', 1).pluck('n')).toEqual([2]);
    expect(seen.filter((m) => /cannot bind parameters/.test(m))).toHaveLength(1);
    await expect(strict('t').where('n', 1)).rejects.toThrow(/UNIMPLEMENTED/);
  } finally {
    await auto.destroy();
    await strict.destroy();
    await plain.close();
  }
});

test('.stream() pipes rows with backpressure; destroying it early cancels the query', async () => {
  const rows: unknown[] = [];
  await pipeline(
    db.raw('select range as n from range(20000)').stream(),
    new Writable({
      objectMode: true,
      highWaterMark: 4,
      write(row, _enc, done) {
        rows.push(row);
        setImmediate(done);
      },
    }),
  );
  expect(rows).toHaveLength(20000);
  expect(rows[19999]).toEqual({ n: 19999n });

  // An endless query: only a stream that really streams can give rows, and destroying it must
  // end the DoGet (the connection goes back to the pool and the next query runs).
  const endless = db.raw('select range as n from range(1000000000000)').stream();
  let seen = 0;
  for await (const row of endless) {
    expect(row).toEqual({ n: BigInt(seen) });
    if (++seen === 5000) break;
  }
  expect(endless.destroyed).toBe(true);
  expect(await db('rooms').count({ n: '*' })).toEqual([{ n: 3n }]);
});

test('.stream({ recordBatches: true }) yields Arrow RecordBatches', async () => {
  let rows = 0;
  const batches = db('readings')
    .select('id', 'temp')
    .stream({ recordBatches: true }) as unknown as AsyncIterable<unknown>;
  for await (const batch of batches) {
    rows += (batch as RecordBatch).numRows;
    expect((batch as RecordBatch).schema.fields.map((f) => f.name)).toEqual(['id', 'temp']);
  }
  expect(rows).toBe(30);
});

test('bulk insert as one Flight SQL ingest, typed by the table', async () => {
  await db.schema.createTable('bulk', (t) => {
    t.integer('id');
    t.string('name');
    t.double('v');
  });
  const put = jest.fn();
  db.on('query', put);
  const rows = Array.from({ length: 1000 }, (_, i) => ({ id: i, name: `n${i}`, v: i / 2 }));
  expect(await db('bulk').insert(rows).options({ ingest: true })).toEqual([]);
  db.off('query', put);
  expect(put).toHaveBeenCalledTimes(1);
  expect(put.mock.calls[0]![0].sql).toMatch(/bulk ingest of 1000 rows/);
  expect(await db('bulk').count({ n: '*' }).sum({ s: 'id' })).toEqual([{ n: 1000n, s: '499500' }]);
  await expect(
    db('bulk')
      .insert([{ nope: 1 }])
      .options({ ingest: true }),
  ).rejects.toThrow(/no column nope/);
});

test('errors keep their flightsql classes, with the SQL Knex prefixes', async () => {
  await expect(db('no_such_table').select()).rejects.toBeInstanceOf(ProgrammingError);
  await expect(db('rooms').insert({ id: 1, name: 'dup' })).rejects.toBeInstanceOf(IntegrityError);
});

test('every endpoint of a result is read (a server that splits results over three, one elsewhere)', async () => {
  const split = await startServer({ partitions: 3, secondLocation: true });
  const many = knex({ client: FlightSQLDialect, connection: { host: split.location } });
  try {
    const rows = await many.select('range as n').from(many.raw('range(3000)')).orderBy('n');
    expect(rows.map((r) => Number(r.n))).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  } finally {
    await many.destroy();
    await split.close();
  }
});

test('.timeout(ms, { cancel: true }) cancels the running query and frees the connection', async () => {
  const started = Date.now();
  const err = await db
    .raw('select count(*) from range(100000000000) a')
    .timeout(300, { cancel: true })
    .catch((e: unknown) => e);
  expect((err as Error).name).toBe('KnexTimeoutError');
  expect(Date.now() - started).toBeLessThan(20_000);
  expect(await db('rooms').count({ n: '*' })).toEqual([{ n: 3n }]);
});
