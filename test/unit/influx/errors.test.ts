import { inspect } from 'node:util';
import {
  DatabaseError,
  Error as FlightSQLError,
  InfluxDBClientError,
  InfluxDBServerError,
  LineProtocolError,
} from '../../../src/influx';
import { errorFromResponse, statementError, transportError } from '../../../src/influx/errors';
import { registerSecret } from '../../../src/errors';

test.each<
  [number, string, Record<string, string>, typeof InfluxDBClientError | typeof InfluxDBServerError, string]
>([
  [
    400,
    '{"error":"partial write: field type conflict dropped=2"}',
    {},
    InfluxDBClientError,
    'write: 400 Bad Request: partial write: field type conflict dropped=2',
  ],
  [
    401,
    '{"error":"authorization failed"}',
    {},
    InfluxDBClientError,
    'write: 401 Unauthorized: authorization failed',
  ],
  [
    403,
    '',
    { 'x-influxdb-error': 'no privilege' },
    InfluxDBClientError,
    'write: 403 Forbidden: no privilege',
  ],
  [404, '404 page not found\n', {}, InfluxDBClientError, 'write: 404 Not Found: 404 page not found'],
  [405, '', {}, InfluxDBClientError, 'write: 405 Method Not Allowed: (no message)'],
  [
    500,
    '{"error":"retention policy not found: x"}',
    {},
    InfluxDBServerError,
    'write: 500 Internal Server Error: retention policy not found: x',
  ],
  [503, 'busy', {}, InfluxDBServerError, 'write: 503 Service Unavailable: busy'],
  [418, '{"message":"teapot"}', {}, InfluxDBClientError, 'write: 418: teapot'],
])('HTTP %i -> its class', (status, body, headers, Class, message) => {
  const error = errorFromResponse(status, body, headers, 'write');
  expect(error).toBeInstanceOf(Class);
  expect(error).toBeInstanceOf(DatabaseError);
  expect(error).toBeInstanceOf(FlightSQLError);
  expect(error.message).toBe(message);
  expect(error.code).toBe(status);
  expect(error.httpStatus).toBe(status);
  expect(error.content).toBe(body);
  expect(error.name).toBe(Class.name);
});

test('partial writes carry the dropped count', () => {
  expect(
    (errorFromResponse(400, '{"error":"partial write: x dropped=3"}', {}, 'write') as InfluxDBClientError)
      .dropped,
  ).toBe(3);
});

test('statement errors have no code (influxdb-python) but say which statement failed', () => {
  const e = statementError('user not found', 1);
  expect(e).toMatchObject({
    message: 'query failed (statement 1): user not found',
    code: undefined,
    statementId: 1,
    httpStatus: 200,
  });
});

test('registered secrets, Basic tokens and password= are removed from every text of an error', () => {
  registerSecret('sw0rdfish-secret');
  const token = Buffer.from('bob:sw0rdfish-secret').toString('base64');
  const body = `{"error":"denied for password=sw0rdfish-secret, Authorization: Basic ${token}"}`;
  const error = errorFromResponse(400, body, {}, 'query');
  for (const text of [error.message, error.serverMessage!, error.content, inspect(error), String(error)]) {
    expect(text).not.toContain('sw0rdfish-secret');
    expect(text).not.toContain(token);
  }
  const wrapped = transportError(
    'ping',
    Object.assign(new Error('connect to http://bob:sw0rdfish-secret@proxy failed'), { code: 'EX' }),
    1,
  );
  expect(wrapped.message).toBe('ping: connect to http://bob:[redacted]@proxy failed');
});

test('LineProtocolError names the point by index and measurement', () => {
  expect(new LineProtocolError('field "v" is NaN', 'cpu', 4).message).toBe(
    'point #4 ("cpu"): field "v" is NaN',
  );
  expect(new LineProtocolError('x', 'a\nb').message).toBe('point "a\\nb": x');
  expect(new LineProtocolError('x').message).toBe('point: x');
  expect(new LineProtocolError('x', 'm'.repeat(100)).message).toBe(`point "${'m'.repeat(80)}…": x`);
});
