/**
 * Knex's migrator on the embedded server, out of the box (no `transactions` option): the
 * migrations in ./migrations (a table with increments(), an added column, a table with a foreign
 * key and a bigIncrements() key, seed rows read back with RETURNING) forward and back, inside
 * Flight SQL transactions; status, currentVersion, make, and the lock table.
 */
import knex, { type Knex } from 'knex';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import FlightSQLDialect from '../../../dialect';
import { startServer, type RunningServer } from '../../../src/server';

const directory = join(__dirname, 'migrations');
const NAMES = [
  '20260101000001_create_users.js',
  '20260101000002_add_email.js',
  '20260101000003_create_posts.js',
  '20260101000004_seed.js',
];

let server: RunningServer;
let db: Knex;
const warnings: string[] = [];
const queries: string[] = [];

beforeAll(async () => {
  server = await startServer();
  db = knex({
    client: FlightSQLDialect,
    connection: server.location,
    migrations: { directory },
    log: { warn: (m: string) => warnings.push(m) },
  } as Knex.Config);
  db.on('query', (q: { sql: string }) => queries.push(q.sql));
});
afterAll(async () => {
  await db.destroy();
  await server.close();
});
beforeEach(() => {
  warnings.length = 0;
  queries.length = 0;
});

/** The sequences in the database (DuckDB's catalog, read through the server). */
async function sequences(): Promise<string[]> {
  const { rows } = await db.raw('select sequence_name from duckdb_sequences() order by 1');
  return rows.map((r: { sequence_name: string }) => r.sequence_name);
}

async function tables(): Promise<string[]> {
  const names = await Promise.all(
    ['users', 'posts', 'knex_migrations', 'knex_migrations_lock'].map(async (t) =>
      (await db.schema.hasTable(t)) ? [t] : [],
    ),
  );
  return names.flat();
}

test('latest() runs every migration in one Flight SQL transaction; status() and currentVersion() agree', async () => {
  expect(await db.migrate.latest()).toEqual([1, NAMES]);
  expect(warnings).toEqual([]);
  // The batch ran between BEGIN and COMMIT (Flight SQL BeginTransaction / EndTransaction).
  const begin = queries.indexOf('BEGIN');
  expect(begin).toBeGreaterThanOrEqual(0);
  expect(queries.indexOf('create sequence if not exists "users_id_seq"')).toBeGreaterThan(begin);
  expect(queries.at(-1)).toBe('COMMIT');

  expect(await tables()).toEqual(['users', 'posts', 'knex_migrations', 'knex_migrations_lock']);
  expect(await sequences()).toEqual([
    'knex_migrations_id_seq',
    'knex_migrations_lock_index_seq',
    'posts_id_seq',
    'users_id_seq',
  ]);
  expect(await db('users').orderBy('id').select('id', 'name', 'email')).toEqual([
    { id: 1, name: 'Ann', email: 'ann@example.com' },
    { id: 2, name: 'Bob', email: null },
  ]);
  expect(await db('posts').orderBy('id').select('id', 'user_id', 'title')).toEqual([
    { id: 1n, user_id: 1, title: 'Hello' },
    { id: 2n, user_id: 1, title: 'Again' },
    { id: 3n, user_id: 2, title: 'Hi' },
  ]);
  // The foreign key holds.
  await expect(db('posts').insert({ user_id: 99, title: 'orphan' })).rejects.toThrow(/foreign key/i);
  expect(await db('knex_migrations').orderBy('id').select('id', 'name', 'batch')).toEqual(
    NAMES.map((name, i) => ({ id: i + 1, name, batch: 1 })),
  );
  expect(await db('knex_migrations_lock').select('index', 'is_locked')).toEqual([{ index: 1, is_locked: 0 }]);
  expect(await db.migrate.status()).toBe(0);
  expect(await db.migrate.currentVersion()).toBe('20260101000004');
  const [completed, pending] = await db.migrate.list();
  expect(completed.map((m: { name: string }) => m.name)).toEqual(NAMES);
  expect(pending).toEqual([]);
  expect(await db.migrate.latest()).toEqual([1, []]);
});

test('rollback() undoes the batch: tables, the added column, rows, and the tables’ sequences', async () => {
  expect(await db.migrate.rollback()).toEqual([1, [...NAMES].reverse()]);
  expect(warnings).toEqual([]);
  expect(await tables()).toEqual(['knex_migrations', 'knex_migrations_lock']);
  expect(await sequences()).toEqual(['knex_migrations_id_seq', 'knex_migrations_lock_index_seq']);
  expect(await db('knex_migrations').count({ n: '*' })).toEqual([{ n: 0n }]);
  expect(await db.migrate.currentVersion()).toBe('none');

  // Forward again, one at a time (and the added column back and forth).
  expect(await db.migrate.up()).toEqual([1, [NAMES[0]]]);
  expect(await db.migrate.up()).toEqual([2, [NAMES[1]]]);
  expect(await db.schema.hasColumn('users', 'email')).toBe(true);
  expect(await db.migrate.down()).toEqual([2, [NAMES[1]]]);
  expect(await db.schema.hasColumn('users', 'email')).toBe(false);
  expect(await db.migrate.up()).toEqual([2, [NAMES[1]]]);
  // The keys start from 1 again: the sequences are new.
  expect(await db.migrate.latest()).toEqual([3, NAMES.slice(2)]);
  expect(await db('users').orderBy('id').pluck('id')).toEqual([1, 2]);
  expect(await db.migrate.down()).toEqual([3, [NAMES[3]]]);
  expect(await db('posts').count({ n: '*' })).toEqual([{ n: 0n }]);
  expect(await db.migrate.status()).toBe(-1);
  expect(await db.migrate.rollback(undefined, true)).toEqual([3, [NAMES[2], NAMES[1], NAMES[0]]]);
  expect(await tables()).toEqual(['knex_migrations', 'knex_migrations_lock']);
  expect(await sequences()).toEqual(['knex_migrations_id_seq', 'knex_migrations_lock_index_seq']);
});

test('a failing migration rolls its whole batch back, and frees the lock', async () => {
  const migrationSource = {
    getMigrations: async () => ['1_ok', '2_fails'],
    getMigrationName: (m: string) => m,
    getMigration: async (m: string) =>
      m === '1_ok'
        ? {
            up: (k: Knex) => k.schema.createTable('kept_if_committed', (t) => t.increments()),
            down: (k: Knex) => k.schema.dropTable('kept_if_committed'),
          }
        : {
            up: async (k: Knex) => {
              await k.schema.createTable('half_done', (t) => t.increments());
              throw new Error('migration 2 fails');
            },
            down: async () => undefined,
          },
  };
  await expect(db.migrate.latest({ migrationSource })).rejects.toThrow('migration 2 fails');
  expect(queries.at(-1)).toBe('ROLLBACK');
  expect(await db.schema.hasTable('kept_if_committed')).toBe(false);
  expect(await db.schema.hasTable('half_done')).toBe(false);
  expect(await sequences()).toEqual(['knex_migrations_id_seq', 'knex_migrations_lock_index_seq']);
  expect(await db('knex_migrations').count({ n: '*' })).toEqual([{ n: 0n }]);
  expect(await db('knex_migrations_lock').pluck('is_locked')).toEqual([0]);
});

test('in the batch transaction, hasTable and hasColumn see what earlier migrations of the batch made', async () => {
  const seen: boolean[] = [];
  const migrationSource = {
    getMigrations: async () => ['1_make', '2_check'],
    getMigrationName: (m: string) => m,
    getMigration: async (m: string) =>
      m === '1_make'
        ? {
            up: (k: Knex) => k.schema.createTable('made', (t) => t.integer('x')),
            down: (k: Knex) => k.schema.dropTable('made'),
          }
        : {
            up: async (k: Knex) => {
              seen.push(await k.schema.hasTable('made'), await k.schema.hasColumn('made', 'x'));
              seen.push(
                await k.schema.hasColumn('made', 'X'),
                await k.schema.withSchema('other').hasTable('made'),
              );
              // System tables stay out here too.
              seen.push(await k.schema.hasTable('duckdb_tables'), await k.schema.hasTable('tables'));
              if (!(await k.schema.hasTable('made')))
                await k.schema.createTable('made', (t) => t.integer('x'));
            },
            down: async () => undefined,
          },
  };
  expect(await db.migrate.latest({ migrationSource })).toEqual([1, ['1_make', '2_check']]);
  expect(seen).toEqual([true, true, false, false, false, false]);
  expect(await db.migrate.rollback({ migrationSource })).toEqual([1, ['2_check', '1_make']]);
  expect(await db.schema.hasTable('made')).toBe(false);
});

test('the lock table: a held lock refuses to migrate (MigrationLocked) until it is freed', async () => {
  await db('knex_migrations_lock').update({ is_locked: 1 });
  const err = (await db.migrate.latest().catch((e: unknown) => e)) as Error;
  expect(err.name).toBe('MigrationLocked');
  expect(await db.schema.hasTable('users')).toBe(false);
  await db.migrate.forceFreeMigrationsLock();
  expect(await db('knex_migrations_lock').pluck('is_locked')).toEqual([0]);
  expect(await db.migrate.latest()).toEqual([1, NAMES]);
  expect(await db.migrate.rollback()).toEqual([1, [...NAMES].reverse()]);
});

test('make() writes a new migration file from the stub', async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'flightsql-migrations-'));
  try {
    const file = await db.migrate.make('add_index', { directory: scratch });
    expect(existsSync(file)).toBe(true);
    expect(readdirSync(scratch)).toEqual([expect.stringMatching(/^\d{14}_add_index\.js$/)]);
    expect(readFileSync(file, 'utf8')).toMatch(/exports\.up = function\(knex\)/);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
