/**
 * The server's facts and the chosen profile survive every client Knex derives from a client:
 * `withUserParams` (made before any connection exists), the migrator's clone, transaction
 * clients, and copies of `knex.client`. Through each, `.returning()` returns rows (DuckDB has
 * RETURNING) and `transaction()` runs a Flight SQL transaction.
 */
import knex, { type Knex } from 'knex';
import FlightSQLDialect, { type FlightSQLDialectConfig } from '../../../dialect';
import { startServer, type RunningServer } from '../../../src/server';

let server: RunningServer;
let db: Knex;
let clone: Knex;
const warnings: string[] = [];

beforeAll(async () => {
  server = await startServer();
  db = knex({
    client: FlightSQLDialect,
    connection: server.location,
    log: { warn: (m: string) => warnings.push(m) },
  } as Knex.Config);
  // Before the first connection: nothing is known yet, by the client or its clone.
  clone = db.withUserParams({ tenant: 'a' });
});
afterAll(async () => {
  await db.destroy();
  await server.close();
});
beforeEach(() => {
  warnings.length = 0;
});

/** `.returning('id')` and a transaction through `k`, which must see the server is DuckDB. */
async function returningAndTransaction(k: Knex, id: number): Promise<void> {
  expect(
    await k('notes')
      .insert({ id, body: `note ${id}` })
      .returning('id'),
  ).toEqual([{ id }]);
  const inTransaction = await k.transaction(async (trx) => {
    const rows = await trx('notes')
      .insert({ id: id + 1000, body: 'in a transaction' })
      .returning(['id', 'body']);
    expect(
      await trx('notes')
        .where('id', id + 1000)
        .update({ body: 'updated' }, ['body']),
    ).toEqual([{ body: 'updated' }]);
    return rows;
  });
  expect(inTransaction).toEqual([{ id: id + 1000, body: 'in a transaction' }]);
}

test('a withUserParams clone made before the first connection: returning and transactions', async () => {
  expect(clone.userParams).toEqual({ tenant: 'a' });
  // The clone connects first: it learns the facts for the original too.
  await clone.schema.createTable('notes', (t) => {
    t.integer('id').primary();
    t.string('body');
  });
  await returningAndTransaction(clone, 1);
  await returningAndTransaction(db, 2);
  expect(warnings).toEqual([]);
  expect((clone.client as FlightSQLDialect).facts()?.profile.name).toBe('duckdb');
});

test('transaction clients, and a clone made from a transaction, see the facts', async () => {
  await db.transaction(async (trx) => {
    expect(await trx('notes').insert({ id: 3, body: 'x' }).returning('id')).toEqual([{ id: 3 }]);
    // A nested transaction is a savepoint, which the embedded server does not have: the error
    // must say so, not that the server has no transactions at all.
    const nested = await trx.transaction(async () => undefined).catch((e: unknown) => e);
    expect(String(nested)).toMatch(/savepoints/);
  });
  const trx = await clone.transaction();
  expect(await trx('notes').insert({ id: 4, body: 'y' }).returning('id')).toEqual([{ id: 4 }]);
  await trx.commit();
  expect(warnings).toEqual([]);
});

test("copies of knex.client (Object.create, and a shallow copy as Knex's own) keep the facts", async () => {
  for (const [i, copy] of [
    Object.create(db.client) as Knex.Client,
    Object.assign(Object.create(Object.getPrototypeOf(db.client)), db.client) as Knex.Client,
  ].entries()) {
    const builder = copy.queryBuilder().table('notes');
    expect(await builder.insert({ id: 10 + i, body: 'copy' }).returning('id')).toEqual([{ id: 10 + i }]);
  }
  expect(warnings).toEqual([]);
});

test("the migrator's clone: returning inside a migration, and transaction() in one that runs without", async () => {
  const seen: unknown[] = [];
  const migrationSource = {
    getMigrations: async () => ['1_in_transaction', '2_without'],
    getMigrationName: (m: string) => m,
    getMigration: async (m: string) =>
      m === '1_in_transaction'
        ? {
            up: async (k: Knex) => seen.push(await k('notes').insert({ id: 20, body: 'm1' }).returning('id')),
            down: async () => undefined,
          }
        : {
            config: { transaction: false },
            up: async (k: Knex) => {
              seen.push(await k('notes').insert({ id: 21, body: 'm2' }).returning('id'));
              seen.push(
                await k.transaction(async (trx) => trx('notes').where('id', 21).update({ body: 'm2!' })),
              );
            },
            down: async () => undefined,
          },
  };
  expect(await db.migrate.latest({ migrationSource })).toEqual([1, ['1_in_transaction', '2_without']]);
  expect(seen).toEqual([[{ id: 20 }], [{ id: 21 }], 1]);
  expect(warnings).toEqual([]);
});

test('the profile named in the config holds in clones too', async () => {
  const generic = knex({
    client: FlightSQLDialect,
    connection: server.location,
    profile: 'generic',
    log: { warn: (m: string) => warnings.push(m) },
  } as FlightSQLDialectConfig as Knex.Config);
  try {
    const genericClone = generic.withUserParams({});
    expect(await genericClone('notes').insert({ id: 30, body: 'g' }).returning('id')).toEqual([]);
    expect(await generic('notes').insert({ id: 31, body: 'g' }).returning('id')).toEqual([]);
    expect(warnings).toEqual([
      'flightsql dialect: .returning() is not supported on generic engines and was dropped',
    ]);
  } finally {
    await generic.destroy();
  }
});
