/**
 * The whole InfluxDB path on the embedded server, with a client we did not write: line protocol
 * over HTTP into a database, then @influxdata/influxdb3-client querying that database by name
 * (InfluxDB's JSON ticket, whose `database` picks the schema).
 */
import { InfluxDBClient } from '@influxdata/influxdb3-client';
import { startServer, type RunningServer } from '../../../src/server';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ httpPort: 0 });
});
afterAll(async () => {
  await server.close();
});

test('write to a database over HTTP, query it by name over Flight', async () => {
  const body = ['cpu,host=a usage=1.5 1000000000', 'cpu,host=b usage=2.5 2000000000'].join('\n');
  const write = await fetch(`${server.httpUrl}/api/v3/write_lp?db=metrics&precision=nanosecond`, {
    method: 'POST',
    body,
  });
  expect(write.status).toBe(204);
  const client = new InfluxDBClient({
    host: `http://127.0.0.1:${server.port}`,
    token: 'unused',
    database: 'metrics',
  });
  try {
    const rows: Record<string, unknown>[] = [];
    for await (const row of client.query('SELECT host, usage FROM cpu ORDER BY host')) rows.push(row);
    expect(rows).toEqual([
      { host: 'a', usage: 1.5 },
      { host: 'b', usage: 2.5 },
    ]);
    // A database that does not exist is an error, as on InfluxDB 3, not a silent `main`.
    const missing = await (async () => {
      for await (const _ of client.query('SELECT 1 FROM cpu', 'nowhere')) return 'rows';
      return 'none';
    })().catch((e: unknown) => String(e));
    expect(missing).toMatch(/database 'nowhere' not found/);
  } finally {
    await client.close();
  }
});
