/**
 * Errors of the InfluxDB HTTP module as Node code checks them: `code`, `name` and `cause`
 * for the server's answers (a real influxd), aborts, timeouts and refused connections.
 */
import * as net from 'node:net';
import {
  AbortError,
  Error as FlightSQLError,
  InfluxDBClient3,
  InfluxDBClientError,
  InfluxDBServerError,
  LineProtocolError,
  OperationalError,
  Point,
} from '../../../src/influx';
import { freeTcpPort } from '../../../scripts/influxd.cjs';
import { uniqueName, useInfluxd } from '../influxd';
import { useLocalServers } from './servers';

const fx = useInfluxd();
const local = useLocalServers();

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new globalThis.Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

/** A server that accepts connections and never answers. */
async function silent(): Promise<number> {
  return local.listen(net.createServer(() => undefined));
}

test('the server answers: one code per HTTP status, the status kept in httpStatus', async () => {
  const db = uniqueName();
  await fx.client.createDatabase(db);
  const badQuery = await rejection(fx.client.query('SELEKT 1'));
  expect(badQuery).toBeInstanceOf(InfluxDBClientError);
  expect(badQuery).toMatchObject({ name: 'InfluxDBClientError', code: 'ERR_HTTP_400', httpStatus: 400 });

  const noDatabase = await rejection(
    fx.client.writePoints([new Point('m').field('v', 1)], { database: `${db}_missing` }),
  );
  expect(noDatabase).toMatchObject({ name: 'InfluxDBClientError', code: 'ERR_HTTP_404', httpStatus: 404 });

  const noPolicy = await rejection(
    fx.client.writePoints([new Point('m').field('v', 1)], { database: db, retentionPolicy: 'nope' }),
  );
  expect(noPolicy).toBeInstanceOf(InfluxDBServerError);
  expect(noPolicy).toMatchObject({ name: 'InfluxDBServerError', code: 'ERR_HTTP_500', httpStatus: 500 });
});

test('a failed statement in a 200 answer: ERR_INFLUXDB_STATEMENT', async () => {
  const err = await rejection(fx.client.query('SELECT * FROM m', { database: uniqueName('nodb') }));
  expect(err).toBeInstanceOf(InfluxDBClientError);
  expect(err).toMatchObject({ code: 'ERR_INFLUXDB_STATEMENT', httpStatus: 200, statementId: 0 });
});

test('a point refused before sending: LineProtocolError with code ERR_FLIGHTSQL_DATA', () => {
  let err: unknown;
  try {
    new Point('m').field('v', Number.NaN);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(LineProtocolError);
  expect(err).toMatchObject({ name: 'LineProtocolError', code: 'ERR_FLIGHTSQL_DATA' });
});

test('an abort: AbortError (an OperationalError) whose cause is the reason', async () => {
  const port = await silent();
  const c = local.client({ port, host: '127.0.0.1', retries: 5 });
  const before = new globalThis.Error('before');
  const early = await rejection(c.ping({ signal: AbortSignal.abort(before) }));
  expect(early).toBeInstanceOf(AbortError);
  expect(early).toBeInstanceOf(OperationalError);
  expect(early).toBeInstanceOf(FlightSQLError);
  expect(early).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', message: 'ping: aborted (before)' });
  expect((early as AbortError).cause).toBe(before);

  const controller = new AbortController();
  const pending = rejection(c.query('SHOW DATABASES', { signal: controller.signal }));
  const during = { reason: 'not an Error' };
  setImmediate(() => controller.abort(during));
  const late = await pending;
  expect(late).toBeInstanceOf(AbortError);
  expect(late).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
  expect((late as AbortError).cause).toBe(during);
});

test('InfluxDB 3 writes: an abort before or during the request is an AbortError', async () => {
  const port = await silent();
  const client = new InfluxDBClient3({ host: `http://127.0.0.1:${port}`, database: 'db', token: 't0ken' });
  local.onCleanup(() => client.close());
  const before = new globalThis.Error('before');
  const early = await rejection(client.write('m v=1', { signal: AbortSignal.abort(before) }));
  expect(early).toBeInstanceOf(AbortError);
  expect(early).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
  expect((early as AbortError).cause).toBe(before);
  const controller = new AbortController();
  const pending = rejection(client.write('m v=1', { signal: controller.signal }));
  const during = new globalThis.Error('during');
  setTimeout(() => controller.abort(during), 20);
  const late = await pending;
  expect(late).toBeInstanceOf(AbortError);
  expect((late as AbortError).cause).toBe(during);
});

test('AbortSignal.timeout(): AbortError whose cause is the TimeoutError', async () => {
  const port = await silent();
  const c = local.client({ port, host: '127.0.0.1' });
  const signal = AbortSignal.timeout(50);
  const err = await rejection(c.ping({ signal }));
  expect(err).toBeInstanceOf(AbortError);
  expect((err as AbortError).cause).toBe(signal.reason);
  expect((err as AbortError).cause).toMatchObject({ name: 'TimeoutError' });
});

test("the client's timeout is a deadline, not an abort: ERR_FLIGHTSQL_TIMEOUT", async () => {
  const port = await silent();
  const c = local.client({ port, host: '127.0.0.1', timeout: 0.05, retries: 1 });
  const err = await rejection(c.ping());
  expect(err).toBeInstanceOf(OperationalError);
  expect(err).not.toBeInstanceOf(AbortError);
  expect(err).toMatchObject({ name: 'OperationalError', code: 'ERR_FLIGHTSQL_TIMEOUT' });
});

test('connection refused: ERR_FLIGHTSQL_NETWORK whose cause is the ECONNREFUSED system error', async () => {
  const port = await freeTcpPort();
  const c = local.client({ port, host: '127.0.0.1', retries: 1 });
  const err = await rejection(c.ping());
  expect(err).toBeInstanceOf(OperationalError);
  expect(err).toMatchObject({ name: 'OperationalError', code: 'ERR_FLIGHTSQL_NETWORK' });
  expect((err as OperationalError).cause).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect', port });
});
