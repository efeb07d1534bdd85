/**
 * `flightsql demo` (`npm start`): starts the embedded server, loads a `home` sensor dataset
 * and runs the seed queries through FlightSQLClient, then writes and reads through the PEP 249
 * layer (connect(), a cursor), printing each result.
 */
import { connect, FlightSQLClient } from '../index';
import { InfluxDBClient3, Point } from '../influx';
import { startServer } from '../server';
import { formatTable } from './format';

/** Two rooms, one reading a minute for 24 hours: 2,880 rows. */
export const HOME_DATASET_SQL = `
CREATE TABLE home AS
SELECT
  TIMESTAMP '2026-01-01 00:00:00' + to_minutes(i) AS time,
  room,
  round(21.0 + (room = 'Kitchen')::INT * 1.5 + 1.5 * sin(i / 180.0) + ((i * 7919) % 10) / 50.0, 2) AS temp,
  round(35.0 + (room = 'Kitchen')::INT * 1.0 + 0.5 * cos(i / 240.0) + ((i * 104729) % 10) / 20.0, 2) AS hum,
  CAST(CASE WHEN room = 'Kitchen' AND i % 1440 BETWEEN 720 AND 840 THEN 5 + (i % 20) ELSE i % 3 END AS BIGINT) AS co
FROM range(0, 1440) t(i), (VALUES ('Kitchen'), ('Living Room')) r(room)
ORDER BY time, room`;

export const SEED_QUERIES: readonly { title: string; sql: string }[] = [
  { title: 'First readings', sql: 'SELECT * FROM home ORDER BY time, room LIMIT 6' },
  {
    title: 'Per room',
    sql: 'SELECT room, count(*) AS readings, round(avg(temp), 2) AS avg_temp, max(co) AS max_co FROM home GROUP BY room ORDER BY room',
  },
  {
    title: 'Downsampled: temperature per room per 2 hours',
    sql: `SELECT time_bucket(INTERVAL '2 hours', time) AS bucket, room,
       round(avg(temp), 2) AS avg_temp, min(temp) AS min_temp, max(temp) AS max_temp
FROM home GROUP BY bucket, room ORDER BY room, bucket`,
  },
  { title: 'Carbon monoxide alerts', sql: 'SELECT time, room, co FROM home WHERE co > 20 ORDER BY time' },
];

export async function demo(): Promise<void> {
  const server = await startServer();
  const client = new FlightSQLClient({ host: server.location });
  try {
    const connection = await server.engine.connect();
    try {
      await connection.run(HOME_DATASET_SQL);
    } finally {
      connection.closeSync();
    }
    process.stdout.write(`Embedded Flight SQL server at ${server.location}, table home loaded (2880 rows)\n`);
    for (const { title, sql } of SEED_QUERIES) {
      const info = await client.execute(sql);
      const reader = await client.doGet(info.endpoints[0]!.ticket);
      const table = await reader.readAll();
      process.stdout.write(`\n== ${title}\n${sql.trim()}\n\n${formatTable(table)}\n`);
    }
    await cursorTour(server.location);
    await knexTour(server.location);
    await influxTour(server.location, server.httpUrl);
  } finally {
    await client.close();
    await server.close();
  }
}

/** The same server through connect() and a cursor: parameters, an update, a transaction. */
async function cursorTour(location: string): Promise<void> {
  await using connection = await connect(location, { autocommit: false });
  const cursor = connection.cursor();
  const say = (text: string) => process.stdout.write(text);
  say('\n== Through connect() and a cursor (PEP 249)\n');
  await cursor.execute(
    'SELECT room, max(temp) AS warmest FROM home WHERE co > ? GROUP BY room ORDER BY room',
    [2],
  );
  say(`description: ${cursor.description!.map(([name, type]) => `${name} ${String(type)}`).join(', ')}\n`);
  for await (const [room, warmest] of cursor) say(`  ${String(room)}: ${String(warmest)}\n`);
  await cursor.executemany('INSERT INTO home (time, room, temp, hum, co) VALUES (?, ?, ?, ?, ?)', [
    [new Date('2026-01-02T00:00:00Z'), 'Attic', 17.5, 41.0, 0n],
    [new Date('2026-01-02T00:01:00Z'), 'Attic', 17.4, 41.2, 0n],
  ]);
  say(`executemany inserted ${cursor.rowcount} rows inside a transaction`);
  await connection.rollback();
  await cursor.execute("SELECT count(*) FROM home WHERE room = 'Attic'");
  say(`; after rollback() the Attic has ${String((await cursor.fetchone())![0])} rows\n`);
}

/** The same table through the Knex dialect (when knex, a peer dependency, is installed). */
async function knexTour(location: string): Promise<void> {
  let knex: typeof import('knex').knex;
  let FlightSQLDialect: import('knex').Knex.Config['client'];
  try {
    const mod = await import('knex');
    // CommonJS interop: the function is the module itself, `default`, or `knex`, by bundler.
    knex = (typeof mod === 'function' ? mod : (mod.knex ?? mod.default)) as typeof knex;
    // By the package's own name, as users load it (the dialect is built after src/).
    const dialectEntry: string = 'flightsql/dialect';
    ({ FlightSQLDialect } = (await import(dialectEntry)) as { FlightSQLDialect: typeof FlightSQLDialect });
  } catch {
    process.stdout.write('\n(install knex to see the Knex dialect here)\n');
    return;
  }
  const db = knex({ client: FlightSQLDialect, connection: { host: location } });
  try {
    process.stdout.write('\n== Through Knex (flightsql/dialect)\n');
    const rows = await db('home')
      .select('room')
      .count({ readings: '*' })
      .max({ co: 'co' })
      .where('temp', '>', 22)
      .groupBy('room')
      .orderBy('room');
    for (const row of rows)
      process.stdout.write(`  ${JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))}\n`);
    const columns = Object.entries(await db('home').columnInfo()).map(
      ([name, info]) => `${name} ${info.type}`,
    );
    process.stdout.write(`columnInfo: ${columns.join(', ')}\n`);
  } finally {
    await db.destroy();
  }
}

/**
 * Writes with InfluxDBClient3 (line protocol over HTTP, batched), then reads back over Flight:
 * one URL for both, as with InfluxDB 3 (the server's port takes HTTP/1.1 and gRPC alike).
 */
async function influxTour(location: string, httpUrl: string): Promise<void> {
  const say = (text: string) => process.stdout.write(text);
  say(`\n== InfluxDB 3 style: InfluxDBClient3 writes to ${httpUrl}, queries over Flight\n`);
  await using client = new InfluxDBClient3({
    host: httpUrl,
    database: 'outdoor',
    writeOptions: { batching: true, batchSize: 500, flushInterval: 100 },
  });
  const start = Date.UTC(2026, 0, 1);
  for (let minute = 0; minute < 1440; minute += 10) {
    for (const station of ['roof', 'garden']) {
      const temp = 4 + 6 * Math.sin(((minute / 1440) * 2 - 0.5) * Math.PI) + (station === 'roof' ? -1 : 0);
      await client.write(
        new Point('weather')
          .tag('station', station)
          .floatField('temp', Math.round(temp * 100) / 100)
          .intField('wind', (minute * 7 + (station === 'roof' ? 13 : 0)) % 40)
          .timestamp(new Date(start + minute * 60_000)),
      );
    }
  }
  await client.flush();
  const table = await client.query(
    'SELECT station, count(*) AS readings, round(avg(temp), 2) AS avg_temp, max(wind) AS max_wind FROM weather GROUP BY station ORDER BY station',
  );
  say(`${formatTable(table)}\n`);
  await using connection = await connect(location);
  const cursor = connection.cursor();
  await cursor.execute('SELECT count(*) FROM outdoor.weather WHERE wind > ?', [30]);
  say(
    `the same rows through connect()/cursor(): ${String((await cursor.fetchone())![0])} readings with wind > 30\n`,
  );
}
