import { inspect } from 'node:util';
import {
  DatabaseError,
  Error as FlightSQLError,
  InfluxDBClientError,
  InfluxDBServerError,
  LineProtocolError,
  OperationalError,
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
  // influxdb-python's numeric `code` is `httpStatus`; `code` is the string code of every error.
  expect(error.code).toBe(status === 418 ? 'ERR_HTTP_4XX' : `ERR_HTTP_${status}`);
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

test('statement errors have their own code and say which statement failed', () => {
  const e = statementError('user not found', 1);
  expect(e).toMatchObject({
    message: 'query failed (statement 1): user not found',
    code: 'ERR_INFLUXDB_STATEMENT',
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

describe('transportError: the failure kept as cause, a code for its kind', () => {
  const system = (code: string, message: string) => Object.assign(new Error(message), { code });

  test('a refused connection: ERR_FLIGHTSQL_NETWORK, cause the system error', () => {
    const refused = system('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1');
    const error = transportError('ping', refused, 3);
    expect(error).toBeInstanceOf(OperationalError);
    expect(error).toMatchObject({
      name: 'OperationalError',
      code: 'ERR_FLIGHTSQL_NETWORK',
      message: 'ping: cannot connect to InfluxDB: connect ECONNREFUSED 127.0.0.1:1 (after 3 attempts)',
    });
    expect(error.cause).toBe(refused);
  });

  test("fetch's TypeError('fetch failed') is unwrapped to its cause", () => {
    const reset = system('ECONNRESET', 'read ECONNRESET');
    const error = transportError('write', Object.assign(new TypeError('fetch failed'), { cause: reset }), 1);
    expect(error).toMatchObject({ code: 'ERR_FLIGHTSQL_NETWORK', message: 'write: read ECONNRESET' });
    expect(error.cause).toBe(reset);
  });

  test.each([
    ['ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.1:8086'],
    ['ERR_INFLUX_TIMEOUT', 'timed out after 200 ms'],
    ['UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'],
    ['UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error'],
    ['UND_ERR_BODY_TIMEOUT', 'Body Timeout Error'],
  ])('%s is ERR_FLIGHTSQL_TIMEOUT', (code, message) => {
    const cause = system(code, message);
    expect(transportError('query', cause, 1)).toMatchObject({ code: 'ERR_FLIGHTSQL_TIMEOUT', cause });
  });

  test("a deadline signal's TimeoutError is ERR_FLIGHTSQL_TIMEOUT; TLS failures ERR_FLIGHTSQL_TLS", async () => {
    const deadline = AbortSignal.timeout(1);
    await new Promise((resolve) => deadline.addEventListener('abort', resolve, { once: true }));
    expect(transportError('query', deadline.reason, 1)).toMatchObject({
      code: 'ERR_FLIGHTSQL_TIMEOUT',
      cause: deadline.reason,
    });
    const tls = transportError('ping', system('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 1);
    expect(tls).toMatchObject({ code: 'ERR_FLIGHTSQL_TLS' });
    expect(tls.message).toMatch(/^ping: TLS handshake failed: self-signed certificate \(pass verifySsl/);
  });
});
