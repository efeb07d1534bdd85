import { Metadata, status } from '@grpc/grpc-js';
import {
  DatabaseError,
  DataError,
  Error as FlightSQLError,
  IntegrityError,
  InterfaceError,
  InternalError,
  NotSupportedError,
  OperationalError,
  ProgrammingError,
} from '../../src';
import { errorFromStatus, redact, registerSecret, toError } from '../../src/errors';

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
