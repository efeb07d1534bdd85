/**
 * The gRPC status the embedded server answers with for a failure, and DuckDB's error types
 * mapped to gRPC codes.
 */
import { status as Status } from '@grpc/grpc-js';
import { messageOf, redact } from '../errors';
import type { Command } from '../sql/commands';

/** A failure with the gRPC status the server should answer with. */
export class StatusError extends globalThis.Error {
  constructor(
    /** The gRPC status code the call ends with. */
    readonly code: Status,
    message: string,
  ) {
    super(message);
    this.name = 'StatusError';
  }
}

/** The gRPC status a handler's failure is answered with; unexpected errors are INTERNAL, redacted. */
export function toStatus(err: unknown): { code: Status; details: string } {
  if (err instanceof StatusError) return { code: err.code, details: err.message };
  return { code: Status.INTERNAL, details: redact(messageOf(err)) };
}

/** UNIMPLEMENTED, naming what this server does not implement. */
export function unimplemented(what: string): StatusError {
  return new StatusError(Status.UNIMPLEMENTED, `${what} is not implemented by this server`);
}

/** The failure for a command a handler does not take: unknown types are INVALID_ARGUMENT. */
export function unsupported(command: Command): StatusError {
  return command.kind === 'unknown'
    ? new StatusError(Status.INVALID_ARGUMENT, `unknown command type ${command.typeUrl}`)
    : unimplemented(command.kind);
}

/** gRPC status for a DuckDB error, from the error type DuckDB puts first in its message. */
export function statusForDuckDBError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  const message = redact(messageOf(err));
  // The node API prefixes some errors ("Failed to extract statements: Parser Error: ...").
  const type = /^(?:Failed to [a-z ]+: )?([A-Za-z ]+) Error:/.exec(message)?.[1];
  if (type === undefined) return new StatusError(Status.INTERNAL, message);
  return new StatusError(codeForErrorType(type, message), message);
}

function codeForErrorType(type: string, message: string): Status {
  switch (type) {
    case 'Parser':
    case 'Binder':
    case 'Syntax':
    case 'Invalid':
    case 'Invalid Configuration':
    case 'Parameter Not Allowed':
    case 'Parameter Not Resolved':
      return Status.INVALID_ARGUMENT;
    case 'Not implemented':
    case 'Missing Extension':
      return Status.UNIMPLEMENTED;
    case 'Permission':
      return Status.PERMISSION_DENIED;
    case 'Catalog':
      if (/already exists/i.test(message)) return Status.ALREADY_EXISTS;
      return /does not exist|not found/i.test(message) ? Status.NOT_FOUND : Status.INVALID_ARGUMENT;
    case 'Constraint':
      return Status.ALREADY_EXISTS;
    case 'Dependency':
      return Status.FAILED_PRECONDITION;
    case 'Invalid Input':
      // A setting a client may not change: the server locked its configuration.
      if (/the configuration has been locked/.test(message)) return Status.PERMISSION_DENIED;
      // Parameters missing or too many is the program's mistake, not bad data.
      if (/prepared statement parameters|Expected \d+ parameters/i.test(message))
        return Status.INVALID_ARGUMENT;
      return Status.OUT_OF_RANGE;
    case 'Conversion':
    case 'Out of Range':
    case 'Invalid Type':
    case 'Mismatch Type':
    case 'Decimal':
      return Status.OUT_OF_RANGE;
    case 'INTERRUPT':
    case 'Interrupt':
      return Status.CANCELLED;
    case 'Transaction':
      return Status.ABORTED;
    case 'IO':
    case 'HTTP':
    case 'Connection':
      return Status.UNAVAILABLE;
    case 'Out of Memory':
      return Status.RESOURCE_EXHAUSTED;
    case 'INTERNAL':
    case 'Internal':
    case 'Fatal':
      return Status.INTERNAL;
    default:
      // Other typed DuckDB errors are about the statement (Sequence, Serialization, ...).
      return Status.INVALID_ARGUMENT;
  }
}
