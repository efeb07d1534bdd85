/**
 * Arrow C++'s Status as the test servers raise it, and how Arrow C++'s Flight server turns it
 * into a gRPC status (transport.cc `TransportStatus::FromStatus`, grpc/util_internal.cc
 * `ToGrpcStatus`): the code by kind, the message as it is, and the Arrow status in trailers.
 */
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';

/** Arrow C++ StatusCode values (arrow/status.h). */
const CODES = {
  KeyError: 2,
  TypeError: 3,
  Invalid: 4,
  IOError: 5,
  IndexError: 7,
  Cancelled: 8,
  UnknownError: 9,
  NotImplemented: 10,
  ExecutionError: 42,
  AlreadyExists: 45,
} as const;

/** An Arrow C++ status kind. */
export type StatusKind = keyof typeof CODES;

/** A failed Arrow C++ Status: its kind and message. */
export class ArrowStatus extends Error {
  constructor(
    readonly kind: StatusKind,
    message: string,
  ) {
    super(message);
    this.name = 'ArrowStatus';
  }

  /** `Status::ToString()`: "Invalid: message". */
  override toString(): string {
    return `${this.kind === 'UnknownError' ? 'Unknown error' : this.kind}: ${this.message}`;
  }
}

/** Shorthands named as Arrow C++'s `Status::Invalid(...)` and friends. */
export const Status = {
  invalid: (message: string) => new ArrowStatus('Invalid', message),
  keyError: (message: string) => new ArrowStatus('KeyError', message),
  typeError: (message: string) => new ArrowStatus('TypeError', message),
  indexError: (message: string) => new ArrowStatus('IndexError', message),
  ioError: (message: string) => new ArrowStatus('IOError', message),
  notImplemented: (message: string) => new ArrowStatus('NotImplemented', message),
  executionError: (message: string) => new ArrowStatus('ExecutionError', message),
  unknownError: (message: string) => new ArrowStatus('UnknownError', message),
};

function grpcCodeOf(kind: StatusKind): GrpcStatus {
  switch (kind) {
    case 'KeyError':
      return GrpcStatus.NOT_FOUND;
    case 'Invalid':
      return GrpcStatus.INVALID_ARGUMENT;
    case 'Cancelled':
      return GrpcStatus.CANCELLED;
    case 'NotImplemented':
      return GrpcStatus.UNIMPLEMENTED;
    case 'AlreadyExists':
      return GrpcStatus.ALREADY_EXISTS;
    default:
      return GrpcStatus.UNKNOWN;
  }
}

/** The gRPC error a thrown value becomes; anything but an ArrowStatus is a bug here (INTERNAL). */
export function toServiceError(err: unknown): Partial<ServiceError> {
  const metadata = new Metadata();
  if (err instanceof ArrowStatus) {
    metadata.set('x-arrow-status', String(CODES[err.kind]));
    metadata.set('x-arrow-status-message-bin', Buffer.from(err.message));
    return { code: grpcCodeOf(err.kind), details: err.message, metadata };
  }
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return { code: GrpcStatus.INTERNAL, details: `test server bug: ${message}`, metadata };
}
