/**
 * The loggers: the default one turns messages into redacted process warnings, silentLogger
 * drops them, and a logger that throws cannot break the client.
 */
import { registerSecret } from '../../../src/errors';
import { silentLogger, warningLogger, type Logger } from '../../../src/influx';
import { log } from '../../../src/influx/logger';

test('warningLogger: a FlightSQLWarning with the error’s message, secrets redacted', () => {
  const warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    registerSecret('logger-secret-pw');
    warningLogger.warn('write of 1 lines failed', new Error('denied for logger-secret-pw'));
    warningLogger.error('lost');
    silentLogger.error('nothing', new Error('x'));
    expect(warnings.mock.calls).toEqual([
      ['flightsql: write of 1 lines failed: denied for [redacted]', 'FlightSQLWarning'],
      ['flightsql: lost', 'FlightSQLWarning'],
    ]);
  } finally {
    warnings.mockRestore();
  }
});

test('log(): the message is redacted; a throwing logger is ignored', () => {
  const seen: [string, unknown][] = [];
  const logger: Logger = {
    error: (m, e) => void seen.push([m, e]),
    warn: () => {
      throw new Error('bad logger');
    },
  };
  registerSecret('another-secret-pw');
  const err = new Error('e');
  log(logger, 'error', 'token another-secret-pw leaked?', err);
  expect(() => log(logger, 'warn', 'retrying')).not.toThrow();
  expect(seen).toEqual([['token [redacted] leaked?', err]]);
});
