/**
 * The built dialect (`flightsql/dialect`) from ESM and CommonJS, and against Knex 3.1 and the
 * newest 3.x: connected by a location string, a schema, inserts, a select with bindings, a
 * transaction, columnInfo, a stream, and through a withUserParams clone an increments() table
 * (a sequence) with RETURNING in a transaction.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import knex from 'knex';
import { FlightSQLDialect } from '../../../dialect';
import { startServer, type RunningServer } from '../../../src/server';

const root = join(__dirname, '../../..');
const run = promisify(execFile);
let server: RunningServer;

beforeAll(async () => {
  if (!existsSync(join(root, 'dist/dialect/index.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

const body = (table: string) => `
  const db = knex({ client: FlightSQLDialect, connection: process.env.LOCATION });
  const clone = db.withUserParams({});
  await db.schema.createTable('${table}', (t) => { t.integer('id').primary(); t.string('name'); });
  await db('${table}').insert([{ id: 1, name: 'a' }, { id: 2, name: 'b' }]);
  const rows = await db('${table}').where('id', '>', 1).select('name');
  await db.transaction(async (trx) => trx('${table}').insert({ id: 3, name: 'c' }));
  const info = await db('${table}').columnInfo();
  let streamed = 0;
  for await (const _ of db('${table}').select().stream()) streamed++;
  await clone.schema.createTable('${table}_auto', (t) => { t.increments(); t.string('name'); });
  const returned = await clone.transaction((trx) => trx('${table}_auto').insert({ name: 'x' }).returning('id'));
  await clone.schema.dropTable('${table}_auto');
  console.log(JSON.stringify({ knex: knexVersion, rows, columns: Object.keys(info), streamed, returned }));
  await db.destroy();`;

async function runCjs(knexPackage: string, code: string, location = server.location) {
  const script = `
    const knex = require('knex');
    const knexVersion = require('knex/package.json').version;
    const FlightSQLDialect = require('flightsql/dialect').default;
    (async () => { ${code} })().catch((e) => { console.error(e); process.exit(1); });`;
  const { stdout } = await run(process.execPath, ['-r', join(__dirname, 'knexVersion.cjs'), '-e', script], {
    cwd: root,
    env: { ...process.env, LOCATION: location, KNEX_PACKAGE: knexPackage },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim());
}

test.each([
  ['knex-3.1', /^3\.1\./],
  ['knex', /^3\./],
])('CommonJS require("flightsql/dialect") with %s', async (knexPackage, version) => {
  const out = await runCjs(knexPackage, body(`t_${knexPackage.replace(/\W/g, '_')}`));
  expect(out.knex).toMatch(version);
  expect(out).toMatchObject({
    rows: [{ name: 'b' }],
    columns: ['id', 'name'],
    streamed: 3,
    returned: [{ id: 1 }],
  });
});

test.each(['knex-3.1', 'knex'])(
  "Knex's migrator (%s): the migrations directory forward and back",
  async (knexPackage) => {
    // A server of its own: both runs start from an empty database.
    const own = await startServer();
    try {
      const code = `
      const db = knex({ client: FlightSQLDialect, connection: process.env.LOCATION,
        migrations: { directory: ${JSON.stringify(join(__dirname, 'migrations'))} } });
      const up = await db.migrate.latest();
      const users = await db('users').orderBy('id').pluck('id');
      const down = await db.migrate.rollback();
      const { rows } = await db.raw('select sequence_name from duckdb_sequences() order by 1');
      console.log(JSON.stringify({ knex: knexVersion, up, users, down, sequences: rows.map((r) => r.sequence_name) }));
      await db.destroy();`;
      const out = await runCjs(knexPackage, code, own.location);
      expect(out).toMatchObject({
        up: [1, expect.any(Array)],
        users: [1, 2],
        down: [1, expect.any(Array)],
        sequences: ['knex_migrations_id_seq', 'knex_migrations_lock_index_seq'],
      });
      expect(out.up[1]).toHaveLength(4);
      expect(out.down[1]).toHaveLength(4);
    } finally {
      await own.close();
    }
  },
);

test('ESM import FlightSQLDialect from "flightsql/dialect" (default and named)', async () => {
  const script = `
    import knex from 'knex';
    import FlightSQLDialect, { FlightSQLDialect as Named, reflect } from 'flightsql/dialect';
    import { createRequire } from 'node:module';
    const knexVersion = createRequire(import.meta.url)('knex/package.json').version;
    if (Named !== FlightSQLDialect || typeof reflect !== 'function') throw new Error('exports');
    ${body('t_esm')}`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, LOCATION: server.location },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(JSON.parse(stdout.trim())).toMatchObject({
    rows: [{ name: 'b' }],
    columns: ['id', 'name'],
    streamed: 3,
    returned: [{ id: 1 }],
  });
});

test("a flightsql:// connection string, with user and password, through Knex's own parser", async () => {
  const basic = await startServer({ username: 'ann', password: 'pw-1234' });
  const setup = await basic.engine.connect();
  await setup.run('CREATE SCHEMA x'); // the database the connection string names
  setup.closeSync();
  const db = knex({
    client: FlightSQLDialect,
    connection: `flightsql://ann:pw-1234@127.0.0.1:${basic.port}?useEncryption=false&database=x`,
  });
  try {
    expect((await db.raw('select 1 as one')).rows).toEqual([{ one: 1 }]);
  } finally {
    await db.destroy();
    await basic.close();
  }
});
