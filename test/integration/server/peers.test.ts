import { InfluxDBClient } from '@influxdata/influxdb3-client';
import { Client as LanceClient } from '@lancedb/arrow-flight-sql-client';
import { createFlightSqlClient } from '@lakehouse-rs/flight-sql-client';
import { tableFromIPC } from 'apache-arrow';
import { startServer } from '../../../src/server';
import { useServer } from '../fixture';

const TOKEN = 'peer-token-0123456789';

/** The embedded server, checked with clients we did not write. */
describe('the embedded server with independent clients', () => {
  const fx = useServer({ token: TOKEN, username: 'peer', password: 'peer-password' });

  beforeAll(async () => {
    // Database `home` (a schema, as an HTTP write makes it) for the InfluxDB client; `main.home`
    // for the Flight SQL clients, which send no database.
    await fx.exec(`CREATE SCHEMA home;
      CREATE TABLE home.home AS SELECT TIMESTAMP '2026-01-01' + to_minutes(i) AS time,
      CASE WHEN i % 2 = 0 THEN 'Kitchen' ELSE 'Living Room' END AS room, 20.0 + i / 10 AS temp FROM range(100) t(i);
      CREATE VIEW main.home AS SELECT * FROM home.home`);
  });

  test('@influxdata/influxdb3-client queries with the InfluxDB JSON ticket (plain Flight DoGet)', async () => {
    const client = new InfluxDBClient({
      host: `http://127.0.0.1:${fx.server.port}`,
      token: TOKEN,
      database: 'home',
    });
    try {
      const rows: Record<string, unknown>[] = [];
      for await (const row of client.query(
        'SELECT room, count(*) AS n FROM home GROUP BY room ORDER BY room',
      ))
        rows.push(row);
      expect(rows.map((r) => [r['room'], Number(r['n'])])).toEqual([
        ['Kitchen', 50],
        ['Living Room', 50],
      ]);
      // InfluxQL too, shaped as InfluxDB 3 shapes it (the measurement first).
      const influxql: Record<string, unknown>[] = [];
      for await (const row of client.query('SELECT count(temp) FROM home', 'home', { type: 'influxql' }))
        influxql.push(row);
      expect(influxql.map((r) => [r['iox::measurement'], Number(r['count'])])).toEqual([['home', 100]]);
    } finally {
      await client.close();
    }
  });

  test('@lancedb/arrow-flight-sql-client against a server without credentials', async () => {
    const open = await startServer();
    try {
      const client = await LanceClient.connect({
        host: `127.0.0.1:${open.port}`,
        username: 'any',
        password: 'any',
        insecure: true,
      });
      const rows = (await (await client.query('SELECT 42 AS answer')).collectToObjects()) as {
        answer: number;
      }[];
      expect(rows.map((r) => r.answer)).toEqual([42]);
    } finally {
      await open.close();
    }
  });

  test('@lancedb/arrow-flight-sql-client: basic-auth Handshake, CommandStatementQuery, DoGet', async () => {
    const client = await LanceClient.connect({
      host: `127.0.0.1:${fx.server.port}`,
      username: 'peer',
      password: 'peer-password',
      insecure: true,
    });
    const result = await client.query('SELECT count(*) AS n, round(avg(temp), 2) AS t FROM home');
    const rows = (await result.collectToObjects()) as { n: bigint; t: number }[];
    expect(rows.map(({ n, t }) => ({ n, t }))).toEqual([{ n: 100n, t: 24.95 }]);
  });

  test('@lakehouse-rs/flight-sql-client (Rust arrow-flight): prepared statement query, bearer token', async () => {
    const client = await createFlightSqlClient({
      host: '127.0.0.1',
      port: fx.server.port,
      tls: false,
      token: TOKEN,
      headers: [],
    });
    const table = tableFromIPC(await client.query('SELECT room FROM home WHERE temp > 29 ORDER BY time'));
    expect(table.numRows).toBe(9);
    expect(table.getChild('room')!.get(0)).toBe('Living Room');
  });
});
