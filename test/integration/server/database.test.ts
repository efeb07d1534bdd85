/**
 * `database` as InfluxDB 3 means it: a database written over HTTP is queried by its bare table
 * names through every layer, with the `database` header (or a JSON ticket's `database`); an
 * unknown database is NOT_FOUND, never a silent fallback to `main`.
 */
import { status } from '@grpc/grpc-js';
import { tableFromArrays } from 'apache-arrow';
import knex, { type Knex } from 'knex';
import { connect, FlightSQLClient, ProgrammingError } from '../../../src';
import FlightSQLDialect from '../../../dialect';
import { InfluxDBClient3 } from '../../../src/influx';
import { startServer, type RunningServer } from '../../../src/server';
import { queryTable } from '../fixture';

let server: RunningServer;
const clients: FlightSQLClient[] = [];

beforeAll(async () => {
  server = await startServer({ httpPort: 0 });
  const body = ['home,room=Kitchen temp=21.5 1000000000', 'home,room=Den temp=20.5 2000000000'].join('\n');
  const write = await fetch(`${server.httpUrl}/write?db=home&precision=ns`, { method: 'POST', body });
  expect(write.status).toBe(204);
  // A table of the same name in `main` must not be what bare names find.
  const c = await server.engine.connect();
  await c.run("CREATE TABLE main.home AS SELECT 'wrong' AS room, 0.0 AS temp");
  c.closeSync();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

function client(database?: string): FlightSQLClient {
  const made = new FlightSQLClient({
    host: server.location,
    ...(database === undefined ? {} : { metadata: { database } }),
  });
  clients.push(made);
  return made;
}

async function rows(c: FlightSQLClient, sql: string): Promise<unknown[]> {
  const table = await queryTable(c, sql);
  return table.toArray().map((r: { toJSON(): unknown }) => r.toJSON());
}

async function failure(promise: Promise<unknown>): Promise<ProgrammingError> {
  try {
    await promise;
  } catch (err) {
    return err as ProgrammingError;
  }
  throw new Error('expected a failure');
}

test('FlightSQLClient: bare names resolve in the header’s database (the seeds’ flow)', async () => {
  const home = client('home');
  expect(await rows(home, 'SELECT room, temp FROM home ORDER BY room')).toEqual([
    { room: 'Den', temp: 20.5 },
    { room: 'Kitchen', temp: 21.5 },
  ]);
  expect((await home.getExecuteSchema('SELECT * FROM home')).fields.map((f) => f.name)).toEqual([
    'time',
    'room',
    'temp',
  ]);
  // Without the header, `main`.
  expect(await rows(client(), 'SELECT room FROM home')).toEqual([{ room: 'wrong' }]);
});

test('bucket-name and iox-namespace-name name the database too (older InfluxDB clients)', async () => {
  for (const header of ['bucket-name', 'iox-namespace-name']) {
    const c = new FlightSQLClient({ host: server.location, metadata: { [header]: 'home' } });
    clients.push(c);
    expect(await rows(c, 'SELECT count(*)::INTEGER AS n FROM home')).toEqual([{ n: 2 }]);
  }
});

test('a ticket carries its database: redeemed by a client without the header', async () => {
  const info = await client('home').execute('SELECT count(*)::INTEGER AS n FROM home');
  const table = await (await client().doGet(info.endpoints[0]!.ticket)).readAll();
  expect(table.toArray().map((r: { toJSON(): unknown }) => r.toJSON())).toEqual([{ n: 2 }]);
});

test('updates, prepared statements, ingest and transactions run in the database', async () => {
  const home = client('home');
  expect(await home.executeUpdate("INSERT INTO home (room, temp, time) VALUES ('Attic', 19.0, now())")).toBe(
    1,
  );
  const prepared = await home.prepare('SELECT count(*)::INTEGER AS n FROM home WHERE temp > ?');
  try {
    const info = await prepared.execute([20]);
    expect(
      (await (await home.doGet(info.endpoints[0]!.ticket)).readAll())
        .toArray()
        .map((r: { toJSON(): unknown }) => r.toJSON()),
    ).toEqual([{ n: 2 }]);
  } finally {
    await prepared.close();
  }
  await home.executeIngest(tableFromArrays({ x: Int32Array.from([1, 2]) }), {
    table: 'ingested',
    mode: 'create',
  });
  const txn = await home.beginTransaction();
  await home.executeUpdate('INSERT INTO ingested VALUES (3)', { transaction: txn });
  await txn.commit();
  expect(await rows(client(), 'SELECT sum(x)::INTEGER AS s FROM home.ingested')).toEqual([{ s: 6 }]);
  expect(await rows(client(), "SELECT count(*)::INTEGER AS n FROM home.home WHERE room = 'Attic'")).toEqual([
    { n: 1 },
  ]);
});

test('an unknown database is NOT_FOUND for queries, updates, prepares and transactions', async () => {
  const nowhere = client('nowhere');
  for (const attempt of [
    () => nowhere.execute('SELECT 1'),
    () => nowhere.executeUpdate('CREATE TABLE t (x INTEGER)'),
    () => nowhere.prepare('SELECT 1'),
    () => nowhere.beginTransaction(),
  ]) {
    const err = await failure(attempt());
    expect(err).toBeInstanceOf(ProgrammingError);
    expect(err.grpcCode).toBe(status.NOT_FOUND);
    expect(err.message).toMatch(/database 'nowhere' not found/);
  }
});

test('connect({ database }) and the cursor', async () => {
  await using c = await connect(server.location, { database: 'home' });
  const cursor = c.cursor();
  await cursor.execute("SELECT temp FROM home WHERE room = 'Kitchen'");
  expect(await cursor.fetchall()).toEqual([[21.5]]);
});

test('Knex with connection.database', async () => {
  const db: Knex = knex({
    client: FlightSQLDialect,
    connection: { host: server.location, database: 'home' },
  } as Knex.Config);
  try {
    expect(await db('home').where({ room: 'Den' }).select('temp')).toEqual([{ temp: 20.5 }]);
  } finally {
    await db.destroy();
  }
});

test('InfluxDBClient3 queries the database it writes', async () => {
  const influx = new InfluxDBClient3({
    host: server.httpUrl,
    database: 'garden',
    flightOptions: { host: server.location },
  });
  try {
    await influx.write('soil,bed=north moisture=0.42 3000000000');
    const table = await influx.query('SELECT bed, moisture FROM soil');
    expect(table.toArray().map((r: { toJSON(): unknown }) => r.toJSON())).toEqual([
      { bed: 'north', moisture: 0.42 },
    ]);
  } finally {
    await influx.close();
  }
});
