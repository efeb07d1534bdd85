/**
 * Without nodejs-polars, each reader's readPolars() and InfluxDBClient3's polars mode fail with
 * the InterfaceError that says what to install, and leave no call running: the stream is
 * cancelled (its flightsql:query trace ends 'cancelled'), or never opened.
 */
import diagnosticsChannel from 'node:diagnostics_channel';

jest.mock('nodejs-polars', () => {
  throw Object.assign(new Error("Cannot find module 'nodejs-polars'"), { code: 'MODULE_NOT_FOUND' });
});

import { InterfaceError, type QueryContext } from '../../../src';
import { InfluxDBClient3 } from '../../../src/influx';
import { useServer } from '../fixture';

const fx = useServer();
const ends: QueryContext[] = [];
const starts: QueryContext[] = [];
const channel = diagnosticsChannel.tracingChannel<unknown, QueryContext>('flightsql:query');
const ignore = () => {};
const handlers = {
  start: (c: QueryContext) => void starts.push(c),
  end: ignore,
  asyncStart: ignore,
  asyncEnd: (c: QueryContext) => void ends.push(c),
  error: ignore,
};
beforeAll(() => channel.subscribe(handlers));
afterAll(() => channel.unsubscribe(handlers));
beforeEach(() => {
  starts.length = 0;
  ends.length = 0;
});

const missing = /nodejs-polars is not installed: npm install nodejs-polars/;

test('FlightStreamReader.readPolars: InterfaceError, the stream cancelled', async () => {
  const info = await fx.client.execute('SELECT range FROM range(10000000)');
  const reader = await fx.client.doGet(info.endpoints[0]!.ticket);
  const failure = reader.readPolars();
  await expect(failure).rejects.toThrow(InterfaceError);
  await expect(failure).rejects.toThrow(missing);
  await expect(reader.readAll()).rejects.toThrow(/cancel/i);
  expect(ends.map((c) => c.state)).toEqual(['cancelled']);
});

test('FlightInfoReader.readPolars: InterfaceError, nothing left open', async () => {
  const reader = fx.client.readFlightInfo(await fx.client.execute('SELECT range FROM range(10000000)'));
  await expect(reader.readPolars()).rejects.toThrow(missing);
  await expect(reader.readAll()).rejects.toThrow(InterfaceError);
});

test("InfluxDBClient3.query(sql, { mode: 'polars' }): InterfaceError before any call", async () => {
  const client = new InfluxDBClient3({ host: fx.server.httpUrl!, database: 'db' });
  try {
    await expect(client.query('SELECT 1', { mode: 'polars' })).rejects.toThrow(missing);
    expect(starts).toEqual([]);
  } finally {
    await client.close();
  }
});
