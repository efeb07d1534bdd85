/**
 * InfluxDBClient3 on the channels, against the embedded server: its Flight queries (JSON ticket)
 * on flightsql:query, its HTTP write batches on flightsql:write; never the token or the query's
 * parameters.
 */
import { InfluxDBClient3, Point } from '../../../src/influx';
import { startServer, type RunningServer } from '../../../src/server';
import { COMPLETED, record, serialize, type Recorder } from './record';

const TOKEN = 'tok-influx3-S3CRET';
const PARAM = 'kitchen-PARAM-31';

let server: RunningServer;
let client: InfluxDBClient3;
let rec: Recorder;

beforeAll(async () => {
  server = await startServer({ httpPort: 0, token: TOKEN });
  client = new InfluxDBClient3({
    host: server.httpUrl!,
    token: TOKEN,
    database: 'home',
    flightOptions: { host: server.location },
  });
});
beforeEach(() => (rec = record()));
afterEach(() => rec.stop());
afterAll(async () => {
  await client.close();
  await server.close();
});

test('a write batch, then a query with parameters: one trace each, no secret in them', async () => {
  await client.write([
    new Point('sensor').tag('room', PARAM).floatField('temp', 21.5).timestamp(1n),
    new Point('sensor').tag('room', 'attic').floatField('temp', 17).timestamp(2n),
    new Point('sensor').tag('room', 'hall').floatField('temp', 19).timestamp(3n),
  ]);
  const writes = rec.calls('flightsql:write');
  expect(writes.map((c) => c.events)).toEqual([COMPLETED]);
  expect(writes[0]!.context).toMatchObject({ database: 'home', points: 3, attempt: 0, status: 204 });
  expect(writes[0]!.context['url']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v3\/write_lp$/);
  expect(writes[0]!.context['bytes']).toBeGreaterThan(0);

  const table = await client.query('SELECT temp FROM sensor WHERE room <> $room ORDER BY time', {
    params: { room: PARAM },
  });
  expect(table.numRows).toBe(2);
  const queries = rec.calls('flightsql:query');
  expect(queries.map((c) => [c.events, c.context])).toEqual([
    [
      COMPLETED,
      {
        kind: 'query',
        sql: 'SELECT temp FROM sensor WHERE room <> $room ORDER BY time',
        command: 'DoGet',
        server: server.location,
        database: 'home',
        rows: 2,
        bytes: expect.any(Number),
        state: 'done',
      },
    ],
  ]);

  // Only the schema: the stream is cancelled once it arrived.
  const published = rec.events.map((e) => e.context);
  rec.clear();
  await client.query('SELECT * FROM sensor', { mode: 'schema' });
  expect(rec.calls('flightsql:query').map((c) => [c.events, c.context['state']])).toEqual([
    [COMPLETED, 'cancelled'],
  ]);

  const json = serialize([...published, ...rec.events.map((e) => e.context)]);
  expect(json).toContain('WHERE room <> $room');
  for (const secret of [TOKEN, PARAM]) expect(json).not.toContain(secret);
});
