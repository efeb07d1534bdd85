/**
 * Reflection from Flight SQL metadata: Knex's columnInfo/hasTable/hasColumn contract and
 * reflect(), on tables with every common type, a primary key and a foreign key; system tables
 * (DuckDB's `system` catalog, information_schema, pg_catalog) left out unless asked for.
 */
import knex, { type Knex } from 'knex';
import FlightSQLDialect, { reflect } from '../../../dialect';
import { connect } from '../../../src';
import { startServer, type RunningServer } from '../../../src/server';
import { startSqliteServer } from '../servers/sqliteServer';

let server: RunningServer;
let db: Knex;

beforeAll(async () => {
  server = await startServer();
  db = knex({ client: FlightSQLDialect, connection: { host: server.location } });
  await db.raw('create schema shop');
  await db.schema.withSchema('shop').createTable('customers', (t) => {
    t.integer('id').primary();
    t.string('name', 80).notNullable();
  });
  await db.schema.withSchema('shop').createTable('orders', (t) => {
    t.integer('id').primary();
    t.integer('customer_id').notNullable().references('id').inTable('shop.customers');
    t.bigInteger('qty');
    t.decimal('total', 12, 2);
    t.double('weight');
    t.boolean('paid');
    t.text('note');
    t.date('day');
    t.timestamp('at', { useTz: false });
    t.time('tod');
    t.binary('blob');
    t.uuid('ref');
  });
  // Names with LIKE metacharacters: only the exact table must match.
  await db.schema.createTable('a_b', (t) => t.integer('x'));
  await db.schema.createTable('axb', (t) => t.integer('y'));
});
afterAll(async () => {
  await db.destroy();
  await server.close();
});

test("columnInfo(): exactly Knex's { type, maxLength, nullable, defaultValue }, in column order", async () => {
  const info = await db('orders').withSchema('shop').columnInfo();
  expect(Object.keys(info)).toEqual([
    'id',
    'customer_id',
    'qty',
    'total',
    'weight',
    'paid',
    'note',
    'day',
    'at',
    'tod',
    'blob',
    'ref',
  ]);
  for (const entry of Object.values(info))
    expect(Object.keys(entry).sort()).toEqual(['defaultValue', 'maxLength', 'nullable', 'type']);
  expect(info.id).toEqual({ type: 'integer', maxLength: null, nullable: false, defaultValue: null });
  expect(info.customer_id!.nullable).toBe(false);
  expect(info.qty!.type).toBe('bigint');
  expect(info.total!.type).toBe('decimal(12,2)');
  expect(info.paid!.type).toBe('boolean');
  expect(info.at!.type).toBe('timestamp');
  expect(info.ref!.type).toBe('uuid');
  // columnInfo(column) gives that column; an unknown column gives the whole map (Knex's quirk).
  expect(await db('orders').withSchema('shop').columnInfo('weight')).toEqual({
    type: 'double',
    maxLength: null,
    nullable: true,
    defaultValue: null,
  });
  expect(
    Object.keys(
      await db('orders')
        .withSchema('shop')
        .columnInfo('zzz' as never),
    ),
  ).toHaveLength(12);
});

test('"schema.table" names, and exact matching of names with LIKE metacharacters', async () => {
  expect(Object.keys(await db('shop.customers').columnInfo())).toEqual(['id', 'name']);
  expect(Object.keys(await db('a_b').columnInfo())).toEqual(['x']);
  expect(await db('nope').columnInfo()).toEqual({});
});

test('hasTable and hasColumn, with and without withSchema', async () => {
  expect(await db.schema.withSchema('shop').hasTable('orders')).toBe(true);
  expect(await db.schema.hasTable('orders')).toBe(true); // found in a non-system schema
  expect(await db.schema.withSchema('main').hasTable('orders')).toBe(false);
  expect(await db.schema.hasTable('a%b')).toBe(false);
  expect(await db.schema.withSchema('shop').hasColumn('orders', 'paid')).toBe(true);
  expect(await db.schema.withSchema('shop').hasColumn('orders', 'PAID')).toBe(false);
  expect(await db.schema.hasColumn('a_b', 'y')).toBe(false);
});

test('reflect(): tables with catalog, schema, type, typed columns, primary and foreign keys', async () => {
  const tables = await reflect(db, { schema: 'shop' });
  expect(tables.map((t) => t.name).sort()).toEqual(['customers', 'orders']);
  const orders = tables.find((t) => t.name === 'orders')!;
  expect(orders).toMatchObject({ schema: 'shop', type: 'TABLE', primaryKey: { columns: ['id'] } });
  expect(orders.catalog).toBeTruthy();
  expect(orders.foreignKeys).toEqual([
    expect.objectContaining({
      columns: ['customer_id'],
      referencedTable: { catalog: orders.catalog, schema: 'shop', name: 'customers' },
      referencedColumns: ['id'],
    }),
  ]);
  const total = orders.columns.find((c) => c.name === 'total')!;
  expect(total).toMatchObject({ type: 'decimal(12,2)', precision: 12, scale: 2, nullable: true });
  expect(String(total.arrowType)).toMatch(/Decimal/);
  expect(orders.columns.find((c) => c.name === 'at')!.arrowType.toString()).toMatch(/Timestamp/);
  const customers = tables.find((t) => t.name === 'customers')!;
  expect(customers.columns.map((c) => [c.name, c.nullable])).toEqual([
    ['id', false],
    ['name', false],
  ]);
});

test('reflect() also takes a flightsql Connection or connect() options, and a table list', async () => {
  await using connection = await connect(server.location);
  const [one] = await reflect(connection, { tables: ['a_b'] });
  expect(one).toMatchObject({
    name: 'a_b',
    schema: 'main',
    columns: [expect.objectContaining({ name: 'x', type: 'integer' })],
  });
  const byOptions = await reflect({ host: server.location }, { tables: ['axb'] });
  expect(byOptions.map((t) => t.name)).toEqual(['axb']);
});

describe('system tables are left out unless asked for', () => {
  test('reflect() without a filter: the user tables only, no DuckDB views (system.*, information_schema, pg_catalog)', async () => {
    const tables = await reflect(db);
    const names = tables.map((t) => `${t.schema}.${t.name}`).sort();
    expect(names).toEqual(['main.a_b', 'main.axb', 'shop.customers', 'shop.orders']);
    expect(tables.every((t) => t.catalog !== 'system')).toBe(true);
  });

  test('hasTable() of a system view is false; asked for by its schema or catalog, it is found', async () => {
    for (const name of ['duckdb_tables', 'sqlite_master', 'pg_tables', 'tables', 'columns'])
      expect(await db.schema.hasTable(name)).toBe(false);
    expect(await db.schema.withSchema('main').hasTable('duckdb_tables')).toBe(false);
    expect(await db.schema.withSchema('information_schema').hasTable('tables')).toBe(true);
    expect(await db.schema.withSchema('pg_catalog').hasTable('pg_tables')).toBe(true);
    expect(Object.keys(await db('tables').withSchema('information_schema').columnInfo())).toContain(
      'table_name',
    );
    const [view] = await reflect(db, { catalog: 'system', tables: ['duckdb_tables'] });
    expect(view).toMatchObject({ catalog: 'system', schema: 'main', name: 'duckdb_tables', type: 'VIEW' });
  });

  test('decided by catalog and schema, not by name: a user table named like a system view is found', async () => {
    await db.schema.createTable('sqlite_master', (t) => t.integer('mine'));
    try {
      expect(await db.schema.hasTable('sqlite_master')).toBe(true);
      expect(Object.keys(await db('sqlite_master').columnInfo())).toEqual(['mine']);
      const found = await reflect(db, { tables: ['sqlite_master'] });
      expect(found.map((t) => [t.catalog === 'system', t.schema, t.type])).toEqual([
        [false, 'main', 'TABLE'],
      ]);
    } finally {
      await db.schema.dropTable('sqlite_master');
    }
  });

  test("the SQLite server's sqlite_sequence is a 'table' there, as Arrow C++ reports it: kept", async () => {
    const sqlite = await startSqliteServer({ exampleData: false });
    sqlite.db.exec(
      'CREATE TABLE counted (id INTEGER PRIMARY KEY AUTOINCREMENT, x int); INSERT INTO counted (x) VALUES (1);',
    );
    const other = knex({ client: FlightSQLDialect, connection: sqlite.location });
    try {
      expect((await reflect(other)).map((t) => [t.name, t.type]).sort()).toEqual([
        ['counted', 'table'],
        ['sqlite_sequence', 'table'],
      ]);
      expect(await other.schema.hasTable('sqlite_sequence')).toBe(true);
    } finally {
      await other.destroy();
      await sqlite.close();
    }
  });
});
