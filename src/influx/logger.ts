/**
 * Where the InfluxDB clients report what they would otherwise print or swallow: retries,
 * batches lost in the background, callbacks that threw. The interface is
 * @influxdata/influxdb3-client's `Logger`; the default goes through `process.emitWarning`
 * (so `--no-warnings` and `process.on('warning')` apply) instead of the console.
 */
import { messageOf, redact } from '../errors';

/** A logger, as @influxdata/influxdb3-client's: two methods, each given a message and maybe an error. */
export interface Logger {
  /** Something failed and nobody else will hear of it (a background batch lost, a callback that threw). */
  error(message: string, err?: unknown): void;
  /** Something went wrong but was handled (a write retried). */
  warn(message: string, err?: unknown): void;
}

/**
 * The default logger: each message becomes a process warning (`FlightSQLWarning`), the
 * error's message appended; warnings of retries included. Messages are redacted.
 */
export const warningLogger: Logger = {
  error(message, err) {
    process.emitWarning(line(message, err), 'FlightSQLWarning');
  },
  warn(message, err) {
    process.emitWarning(line(message, err), 'FlightSQLWarning');
  },
};

/** A logger that drops everything (`logger: silentLogger`). */
export const silentLogger: Logger = {
  error() {},
  warn() {},
};

/** `flightsql: message: reason`, redacted, as the default logger prints it. */
function line(message: string, err: unknown): string {
  return redact(`flightsql: ${message}${err === undefined ? '' : `: ${messageOf(err)}`}`);
}

/** Calls a logger method without letting a throwing logger break the client. */
export function log(logger: Logger, level: 'error' | 'warn', message: string, err?: unknown): void {
  try {
    logger[level](redact(message), err);
  } catch {
    // A logger that throws has nowhere left to report to.
  }
}
