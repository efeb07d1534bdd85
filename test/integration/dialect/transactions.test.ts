/**
 * Knex transactions over Flight SQL transactions: visibility to other sessions, commit,
 * rollback, and servers without transactions (a capability error, or bodies without atomicity
 * when the config opts in).
 */
import knex, { type Knex } from 'knex';
import FlightSQLDialect from '../../../dialect';
import { NotSupportedError } from '../../../src';
import { startServer, type RunningServer } from '../../../src/server';

let server: RunningServer;
let db: Knex;

beforeAll(async () => {
  server = await startServer();
  db = knex({ client: FlightSQLDialect, connection: { host: server.location }, pool: { min: 0, max: 4 } });
  await db.schema.createTable('ledger', (t) => {
    t.integer('id').primary();
    t.decimal('amount', 10, 2);
  });
});
afterAll(async () => {
  await db.destroy();
  await server.close();
});
beforeEach(async () => {
  await db('ledger').del();
});

test('uncommitted writes are invisible to another session, visible after commit', async () => {
  const trx = await db.transaction();
  await trx('ledger').insert([
    { id: 1, amount: '10.00' },
    { id: 2, amount: '20.00' },
  ]);
  expect(await trx('ledger').count({ n: '*' })).toEqual([{ n: 2n }]);
  expect(await db('ledger').count({ n: '*' })).toEqual([{ n: 0n }]); // another pooled session
  await trx.commit();
  expect(await db('ledger').count({ n: '*' })).toEqual([{ n: 2n }]);
});

test('a failing transaction body rolls back: its writes are gone', async () => {
  const queries: string[] = [];
  db.on('query', (q: { sql: string }) => queries.push(q.sql));
  await expect(
    db.transaction(async (trx) => {
      await trx('ledger').insert({ id: 3, amount: '1.00' });
      await trx('ledger').where('id', 3).update({ amount: '2.00' });
      throw new Error('changed my mind');
    }),
  ).rejects.toThrow('changed my mind');
  db.removeAllListeners('query');
  expect(queries[0]).toBe('BEGIN');
  expect(queries.at(-1)).toBe('ROLLBACK');
  expect(await db('ledger').count({ n: '*' })).toEqual([{ n: 0n }]);
});

test('an explicit rollback, and a commit that returns the body value', async () => {
  const trx = await db.transaction();
  await trx('ledger').insert({ id: 4, amount: '4.00' });
  await trx.rollback();
  expect(trx.isCompleted()).toBe(true);
  expect(await db('ledger').where('id', 4)).toEqual([]);
  const value = await db.transaction(async (t) => {
    await t('ledger').insert({ id: 5, amount: '5.00' });
    return 'done';
  });
  expect(value).toBe('done');
  expect(await db('ledger').pluck('id')).toEqual([5]);
});

test('nested transactions need savepoints: a clear error where the server has none', async () => {
  await expect(
    db.transaction(async (trx) => {
      await trx('ledger').insert({ id: 6, amount: '6.00' });
      await trx.transaction(async (inner) => inner('ledger').insert({ id: 7, amount: '7.00' }));
    }),
  ).rejects.toThrow(/savepoints/);
  expect(await db('ledger').count({ n: '*' })).toEqual([{ n: 0n }]);
});

describe('a server without transactions', () => {
  let plain: RunningServer;
  beforeAll(async () => {
    plain = await startServer({ transactions: false });
  });
  afterAll(async () => {
    await plain.close();
  });

  test('knex.transaction() fails with a capability error', async () => {
    const strict = knex({ client: FlightSQLDialect, connection: { host: plain.location } });
    try {
      await strict.schema.createTable('t', (t) => t.integer('n'));
      const err = await strict.transaction(async (trx) => trx('t').insert({ n: 1 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotSupportedError);
      expect(String(err)).toMatch(/no Flight SQL transactions.*unsafe-autocommit/);
      expect(await strict('t').count({ n: '*' })).toEqual([{ n: 0n }]);
    } finally {
      await strict.destroy();
    }
  });

  test("transactions: 'unsafe-autocommit' runs the body without atomicity, and says so", async () => {
    const warnings: string[] = [];
    const loose = knex({
      client: FlightSQLDialect,
      connection: { host: plain.location },
      transactions: 'unsafe-autocommit',
      log: { warn: (m: string) => warnings.push(m) },
    } as Knex.Config);
    try {
      await loose.schema.createTable('u', (t) => t.integer('n'));
      await loose.transaction(async (trx) => trx('u').insert({ n: 1 }));
      await expect(
        loose.transaction(async (trx) => {
          await trx('u').insert({ n: 2 });
          throw new Error('fail');
        }),
      ).rejects.toThrow('fail');
      // Nothing could be undone: both rows are there, and the warnings said so.
      expect(await loose('u').orderBy('n').pluck('n')).toEqual([1, 2]);
      expect(warnings.some((w) => /without atomicity/.test(w))).toBe(true);
      expect(warnings.some((w) => /not undone/.test(w))).toBe(true);
    } finally {
      await loose.destroy();
    }
  });
});
