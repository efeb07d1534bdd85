/** Errors of the CLI made more helpful where the cause is likely the command line. */
import { status as Status } from '@grpc/grpc-js';
import { OperationalError } from '../errors';
import type { FlightSQLClientOptions } from '../index';
import { DEFAULT_HOST } from './connection';

/**
 * When a connection to the default location fails, says what that location is and how to
 * start a server there or point elsewhere; other errors pass unchanged.
 */
export function withConnectionHint(
  err: unknown,
  options: FlightSQLClientOptions,
  hostFlag: string | undefined,
): unknown {
  if (!(err instanceof OperationalError) || err.grpcCode !== Status.UNAVAILABLE) return err;
  if (hostFlag !== undefined || options.host !== DEFAULT_HOST) return err;
  return new OperationalError(
    `${err.message} (no server at the default ${DEFAULT_HOST}: start one with 'flightsql serve --port 31337', or pass --host)`,
    { grpcCode: err.grpcCode, cause: err },
  );
}
