import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Metadata, status } from '@grpc/grpc-js';
import fc from 'fast-check';
import {
  AbortError as RootAbortError,
  DatabaseError,
  DataError,
  Error as FlightSQLError,
  IntegrityError,
  InterfaceError,
  InternalError,
  NotSupportedError,
  OperationalError,
  ProgrammingError,
  ProtocolError,
} from '../../src';
import {
  abortError,
  AbortError,
  closedError,
  ERROR_CODES,
  errorClassFor,
  errorFromStatus,
  grpcErrorCode,
  httpErrorCode,
  protocolError,
  redact,
  registerSecret,
  toError,
} from '../../src/errors';
import { callErrorMapper } from '../../src/flight/callErrors';
import { AbortError as InfluxAbortError } from '../../src/influx';

describe('errorFromStatus', () => {
  test.each([
    [status.INVALID_ARGUMENT, ProgrammingError],
    [status.NOT_FOUND, ProgrammingError],
    [status.ALREADY_EXISTS, IntegrityError],
    [status.UNAUTHENTICATED, OperationalError],
    [status.PERMISSION_DENIED, OperationalError],
    [status.UNAVAILABLE, OperationalError],
    [status.DEADLINE_EXCEEDED, OperationalError],
    [status.CANCELLED, OperationalError],
    [status.UNIMPLEMENTED, NotSupportedError],
    [status.INTERNAL, InternalError],
    [status.OUT_OF_RANGE, DataError],
    [status.UNKNOWN, DatabaseError],
  ])('code %i', (code, Class) => {
    const err = errorFromStatus({ code, details: 'boom', metadata: new Metadata() }, 'DoGet');
    expect(err).toBeInstanceOf(Class);
    expect(err).toBeInstanceOf(FlightSQLError);
    expect(err.name).toBe(Class.name);
    expect(err.grpcCode).toBe(code);
    expect(err.serverMessage).toBe('boom');
    expect(err.message).toContain('DoGet');
    expect(err.message).toContain('boom');
  });

  test('a stream the server reset without a status is an OperationalError; a reset the client caused stays internal', () => {
    for (const details of [
      'Received RST_STREAM with code 2 (Internal server error)',
      'Received RST_STREAM with code 2 (Call ended without gRPC status)',
      'Received RST_STREAM with code 11',
    ]) {
      const err = errorFromStatus({ code: status.INTERNAL, details }, 'DoGet');
      expect(err).toBeInstanceOf(OperationalError);
      expect(err.grpcCode).toBe(status.INTERNAL);
      expect(err.message).toContain(details);
    }
    const client = errorFromStatus(
      {
        code: status.INTERNAL,
        details: 'Received RST_STREAM with code 2 triggered by internal client error: boom',
      },
      'DoGet',
    );
    expect(client).toBeInstanceOf(InternalError);
  });

  test('an HTTP 405 or HTML answer says the host is not a Flight SQL endpoint', () => {
    const err = errorFromStatus({ code: status.UNIMPLEMENTED, details: 'Received HTTP status code 405' });
    expect(err).toBeInstanceOf(OperationalError);
    expect(err.httpStatus).toBe(405);
    expect(err.message).toMatch(/not gRPC: check that host and port point at an Arrow Flight SQL endpoint/);
    const html = errorFromStatus({ code: status.UNKNOWN, details: "Unexpected content-type 'text/html'" });
    expect(html.message).toContain('text/html');
  });

  test('the PEP 249 hierarchy', () => {
    expect(new DataError('x')).toBeInstanceOf(DatabaseError);
    expect(new InterfaceError('x')).toBeInstanceOf(FlightSQLError);
    expect(new ProgrammingError('x')).toBeInstanceOf(globalThis.Error);
  });

  test('toError keeps flightsql errors and wraps the rest with a cause', () => {
    const ours = new ProgrammingError('x');
    expect(toError(ours)).toBe(ours);
    const wrapped = toError(new TypeError('bad'), 'DoPut');
    expect(wrapped).toBeInstanceOf(InterfaceError);
    expect(wrapped.cause).toBeInstanceOf(TypeError);
  });
});

describe('redaction', () => {
  test.each([
    ['authorization: Bearer abc.def', 'authorization: Bearer [redacted]'],
    ['password=hunter2&x=1', 'password=[redacted]&x=1'],
    ['token: "xyz"', 'token: [redacted]'],
    ['flightsql://bob:pa55@host:1/', 'flightsql://bob:[redacted]@host:1/'],
    ['got Bearer eyJhbGciOi.x-y_z', 'got Bearer [redacted]'],
    ['Authorization: Token abc123', 'Authorization: Token [redacted]'],
    // What a server says it wants is prose, not a credential.
    ['authentication required: send a bearer token', 'authentication required: send a bearer token'],
    [
      'authorization required: send Authorization: Token <token> (or Bearer)',
      'authorization required: send Authorization: Token <token> (or Bearer)',
    ],
  ])('%s', (input, output) => {
    expect(redact(input)).toBe(output);
  });

  test('registered secrets never appear in error messages', () => {
    registerSecret('sup3r-secret-value');
    const err = errorFromStatus({
      code: status.UNAUTHENTICATED,
      details: 'token sup3r-secret-value rejected',
    });
    expect(err.message).not.toContain('sup3r-secret-value');
    expect(err.serverMessage).not.toContain('sup3r-secret-value');
  });
});

describe('string codes', () => {
  const grpcNames = Object.keys(status).filter((k) => Number.isNaN(Number(k)) && k !== 'OK');

  test('there is one code per gRPC status, and the class and numeric code stay', () => {
    expect(grpcNames).toHaveLength(16);
    for (const name of grpcNames) {
      const code = status[name as keyof typeof status];
      const err = errorFromStatus({ code, details: 'boom' }, 'DoGet');
      expect(err.code).toBe(`ERR_GRPC_${name}`);
      expect(err).toBeInstanceOf(errorClassFor(code));
      expect(err.grpcCode).toBe(code);
      expect(err.grpcStatus).toBe(name);
      expect(ERROR_CODES).toContain(err.code);
    }
    expect(grpcErrorCode(status.OK)).toBe('ERR_GRPC_UNKNOWN');
    expect(grpcErrorCode(99)).toBe('ERR_GRPC_UNKNOWN');
    expect(errorFromStatus({ code: 99 as status, details: 'x' }).code).toBe('ERR_GRPC_UNKNOWN');
  });

  test.each([
    [400, 'ERR_HTTP_400'],
    [401, 'ERR_HTTP_401'],
    [403, 'ERR_HTTP_403'],
    [404, 'ERR_HTTP_404'],
    [405, 'ERR_HTTP_405'],
    [409, 'ERR_HTTP_409'],
    [413, 'ERR_HTTP_413'],
    [422, 'ERR_HTTP_422'],
    [429, 'ERR_HTTP_429'],
    [402, 'ERR_HTTP_4XX'],
    [418, 'ERR_HTTP_4XX'],
    [499, 'ERR_HTTP_4XX'],
    [500, 'ERR_HTTP_500'],
    [502, 'ERR_HTTP_502'],
    [503, 'ERR_HTTP_503'],
    [504, 'ERR_HTTP_504'],
    [501, 'ERR_HTTP_5XX'],
    [599, 'ERR_HTTP_5XX'],
    [200, 'ERR_HTTP_UNEXPECTED'],
    [302, 'ERR_HTTP_UNEXPECTED'],
    [600, 'ERR_HTTP_UNEXPECTED'],
  ])('HTTP %i -> %s', (httpStatus, code) => {
    expect(httpErrorCode(httpStatus)).toBe(code);
    expect(new DatabaseError('x', { httpStatus }).code).toBe(code);
  });

  test('any gRPC or HTTP number gives a listed code (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 1000 }), fc.boolean(), (n, grpc) => {
        const err = new OperationalError('x', grpc ? { grpcCode: n } : { httpStatus: n });
        expect(ERROR_CODES).toContain(err.code);
        expect(err.code.startsWith(grpc ? 'ERR_GRPC_' : 'ERR_HTTP_')).toBe(true);
      }),
    );
  });

  test.each(
    (
      [
        [FlightSQLError, 'ERR_FLIGHTSQL'],
        [InterfaceError, 'ERR_FLIGHTSQL_INTERFACE'],
        [ProtocolError, 'ERR_FLIGHTSQL_PROTOCOL'],
        [DatabaseError, 'ERR_FLIGHTSQL_DATABASE'],
        [DataError, 'ERR_FLIGHTSQL_DATA'],
        [OperationalError, 'ERR_FLIGHTSQL_OPERATIONAL'],
        [IntegrityError, 'ERR_FLIGHTSQL_INTEGRITY'],
        [InternalError, 'ERR_FLIGHTSQL_INTERNAL'],
        [ProgrammingError, 'ERR_FLIGHTSQL_INVALID_ARGUMENT'],
        [NotSupportedError, 'ERR_FLIGHTSQL_NOT_SUPPORTED'],
        [AbortError, 'ABORT_ERR'],
      ] as [new (message: string) => FlightSQLError, string][]
    ).map(([Class, code]) => ({ name: Class.name, Class, code })),
  )('$name raised by the client itself has its class code $code', ({ Class, code }) => {
    const err = new Class('x');
    expect(err.code).toBe(code);
    expect(err.name).toBe(Class.name);
    // An own enumerable property, as Node's: util.inspect and loggers show it.
    expect(Object.keys(err)).toContain('code');
    expect(inspect(err)).toContain(`code: '${code}'`);
  });

  test('a subclass defined elsewhere takes its nearest ancestor code; an explicit code wins', () => {
    class PointError extends DataError {}
    expect(new PointError('x').code).toBe('ERR_FLIGHTSQL_DATA');
    expect(new ProgrammingError('x', { code: 'ERR_FLIGHTSQL_CLOSED', grpcCode: 3 }).code).toBe(
      'ERR_FLIGHTSQL_CLOSED',
    );
    // gRPC before HTTP when an error has both.
    expect(new OperationalError('x', { grpcCode: status.UNAVAILABLE, httpStatus: 503 }).code).toBe(
      'ERR_GRPC_UNAVAILABLE',
    );
  });

  test("the client's own situations", () => {
    expect(closedError('Cursor')).toMatchObject({ name: 'InterfaceError', code: 'ERR_FLIGHTSQL_CLOSED' });
    expect(protocolError('Schema twice')).toMatchObject({
      name: 'ProtocolError',
      code: 'ERR_FLIGHTSQL_PROTOCOL',
    });
    expect(
      errorFromStatus({ code: status.UNIMPLEMENTED, details: 'Received HTTP status code 405' }),
    ).toMatchObject({
      code: 'ERR_FLIGHTSQL_NOT_GRPC',
      grpcCode: status.UNIMPLEMENTED,
      httpStatus: 405,
    });
    expect(
      errorFromStatus({
        code: status.UNAVAILABLE,
        details: 'No connection established. Last error: Protocol error. Resolution note: ',
      }).code,
    ).toBe('ERR_FLIGHTSQL_NOT_GRPC');
    expect(
      errorFromStatus({
        code: status.INTERNAL,
        details: 'Received RST_STREAM with code 2 (Internal server error)',
      }),
    ).toMatchObject({
      name: 'OperationalError',
      code: 'ERR_FLIGHTSQL_STREAM_RESET',
      grpcCode: status.INTERNAL,
    });
    const tls = errorFromStatus({
      code: status.UNAVAILABLE,
      details: 'No connection established. Last error: Error: self-signed certificate. Resolution note: ',
    });
    expect(tls).toMatchObject({
      name: 'OperationalError',
      code: 'ERR_FLIGHTSQL_TLS',
      grpcCode: status.UNAVAILABLE,
    });
    expect(tls.message).toMatch(/TLS handshake failed: self-signed certificate/);
    const limit = callErrorMapper({
      maxReceiveMessageBytes: 100,
      keepaliveTimeMs: -1,
      keepaliveTimeoutMs: 1,
    })(
      { code: status.RESOURCE_EXHAUSTED, details: 'Received message larger than max (200 vs 100)' },
      'DoGet',
    );
    expect(limit).toMatchObject({
      name: 'ProtocolError',
      code: 'ERR_FLIGHTSQL_MESSAGE_TOO_LARGE',
      grpcCode: status.RESOURCE_EXHAUSTED,
    });
  });

  test('docs/errors.md lists every code, with its class, and no other', () => {
    const doc = readFileSync(join(__dirname, '../../docs/errors.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `([A-Z0-9_]+)` \| `(\w+)` \| .+ \|$/gm)].map((m) => [m[1]!, m[2]!]);
    expect(rows.map(([code]) => code)).toEqual([...ERROR_CODES]);
    for (const [code, className] of rows) {
      if (code!.startsWith('ERR_GRPC_')) {
        const number = status[code!.slice('ERR_GRPC_'.length) as keyof typeof status];
        expect([code, errorClassFor(number).name]).toEqual([code, className]);
      }
      if (code!.startsWith('ERR_HTTP_')) {
        expect([code, className]).toEqual([
          code,
          code === 'ERR_HTTP_5XX' || /^ERR_HTTP_5\d\d$/.test(code!)
            ? 'InfluxDBServerError'
            : 'InfluxDBClientError',
        ]);
      }
    }
  });
});

describe('AbortError', () => {
  test('an OperationalError named AbortError, code ABORT_ERR, whose cause is the reason', () => {
    const reason = new globalThis.Error('user pressed stop');
    const err = abortError(reason, 'DoGet', { grpcCode: status.CANCELLED });
    expect(err).toBeInstanceOf(AbortError);
    expect(err).toBeInstanceOf(OperationalError);
    expect(err).toBeInstanceOf(DatabaseError);
    expect(err).toBeInstanceOf(FlightSQLError);
    expect(err).toBeInstanceOf(globalThis.Error);
    expect(err.name).toBe('AbortError');
    // ABORT_ERR even with a gRPC status: the status stays in grpcCode.
    expect(err.code).toBe('ABORT_ERR');
    expect(err.grpcCode).toBe(status.CANCELLED);
    expect(err.cause).toBe(reason);
    expect(err.message).toBe('DoGet: aborted (user pressed stop)');
  });

  test("a signal's own reasons: the DOMExceptions of abort() and AbortSignal.timeout()", async () => {
    const plain = AbortSignal.abort();
    const err = abortError(plain.reason, 'ping');
    expect(err.cause).toBe(plain.reason);
    expect(err.message).toBe('ping: aborted (This operation was aborted)');
    const timeout = AbortSignal.timeout(1);
    await new Promise((resolve) => timeout.addEventListener('abort', resolve, { once: true }));
    const timedOut = abortError(timeout.reason, 'query');
    expect(timedOut.cause).toBe(timeout.reason);
    expect(timedOut.cause).toMatchObject({ name: 'TimeoutError' });
    expect(abortError('because', 'x')).toMatchObject({ cause: 'because', message: 'x: aborted (because)' });
  });

  test('is exported where the other errors are', () => {
    expect(RootAbortError).toBe(AbortError);
    expect(InfluxAbortError).toBe(AbortError);
  });
});

describe('causes', () => {
  test.each([
    [
      'connect ECONNREFUSED 127.0.0.1:31337',
      { code: 'ECONNREFUSED', syscall: 'connect', address: '127.0.0.1', port: 31337 },
    ],
    [
      'connect ECONNREFUSED ::1:31337',
      { code: 'ECONNREFUSED', syscall: 'connect', address: '::1', port: 31337 },
    ],
    [
      'connect ETIMEDOUT 10.0.0.1:443',
      { code: 'ETIMEDOUT', syscall: 'connect', address: '10.0.0.1', port: 443 },
    ],
    [
      'getaddrinfo ENOTFOUND db.invalid',
      { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'db.invalid' },
    ],
    ['read ECONNRESET', { code: 'ECONNRESET', syscall: 'read' }],
  ])("grpc-js's '%s' becomes the cause of UNAVAILABLE", (text, facts) => {
    const err = errorFromStatus(
      {
        code: status.UNAVAILABLE,
        details: `No connection established. Last error: Error: ${text}. Resolution note: `,
      },
      'GetFlightInfo',
    );
    expect(err).toMatchObject({
      code: 'ERR_GRPC_UNAVAILABLE',
      message: `GetFlightInfo: cannot connect to the server: ${text} [UNAVAILABLE]`,
    });
    expect(err.cause).toBeInstanceOf(globalThis.Error);
    expect(err.cause).toMatchObject({ ...facts, message: text });
    const errno = (osConstants.errno as Record<string, number | undefined>)[facts.code];
    expect((err.cause as NodeJS.ErrnoException).errno).toBe(errno === undefined ? undefined : -errno);
  });

  test('no cause is made up where grpc-js gives no system error', () => {
    expect(
      errorFromStatus({ code: status.UNAVAILABLE, details: 'Name resolution failed for target dns:x:1' })
        .cause,
    ).toBeUndefined();
    expect(
      errorFromStatus({
        code: status.UNAVAILABLE,
        details: 'No connection established. Last error: something else. Resolution note: ',
      }).cause,
    ).toBeUndefined();
    expect(errorFromStatus({ code: status.INVALID_ARGUMENT, details: 'bad' }).cause).toBeUndefined();
  });

  test('a clean cause is kept as it is; one holding a secret is a redacted copy with its facts', () => {
    const clean = Object.assign(new globalThis.Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    expect(new OperationalError('x', { cause: clean }).cause).toBe(clean);
    registerSecret('c4use-s3cret-token');
    const dirty = Object.assign(new TypeError('proxy http://u:pw1@proxy rejected c4use-s3cret-token'), {
      code: 'ECONNRESET',
      cause: new globalThis.Error('inner c4use-s3cret-token'),
    });
    const err = new OperationalError('x', { cause: dirty });
    const cause = err.cause as NodeJS.ErrnoException;
    expect(cause).not.toBe(dirty);
    expect(cause).toMatchObject({ name: 'TypeError', code: 'ECONNRESET' });
    expect(cause.message).toBe('proxy http://u:[redacted]@proxy rejected [redacted]');
    const shown = inspect(err);
    expect(shown).not.toContain('c4use-s3cret-token');
    expect(shown).not.toContain('pw1');
    expect(new OperationalError('x', { cause: 'token=abc123' }).cause).toBe('token=[redacted]');
    const plain = new OperationalError('x', { cause: { message: 'password=hunter2', code: 'EX' } });
    expect(plain.cause).toMatchObject({ message: 'password=[redacted]', code: 'EX' });
  });

  test('toError keeps the wrapped error as cause', () => {
    const boom = new RangeError('bad length');
    expect(toError(boom, 'DoPut')).toMatchObject({
      name: 'InterfaceError',
      code: 'ERR_FLIGHTSQL_INTERFACE',
      cause: boom,
    });
  });
});
