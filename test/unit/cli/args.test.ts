/** The shared flag parsing of the `flightsql` commands: strict parseArgs, --help, validators. */
import { UsageError, choiceOf, parseFlags, portOf, positiveIntOf, secondsOf } from '../../../src/cli/args';

const FLAGS = { port: { type: 'string' }, verbose: { type: 'boolean', short: 'V' } } as const;

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('no error');
}

describe('parseFlags', () => {
  test('parses flags and positionals', () => {
    expect(parseFlags('x', ['--port', '5', '-V', 'a', 'b'], FLAGS, 'usage')).toEqual({
      values: { port: '5', verbose: true },
      positionals: ['a', 'b'],
    });
  });

  test.each([
    [['--foo'], "flightsql x: unknown option '--foo'"],
    [['-z'], "flightsql x: unknown option '-z'"],
    [['--port'], 'flightsql x: --port needs a value'],
    [['--verbose=yes'], 'flightsql x: --verbose takes no value'],
    [
      ['--port', '--verbose'],
      "flightsql x: --port needs a value (one that starts with '-' goes as --port=VALUE)",
    ],
  ])('%j is a UsageError: %s', (argv, message) => {
    expect(messageOf(() => parseFlags('x', argv, FLAGS, 'usage'))).toBe(message);
  });

  test('--help and -h print the usage to stdout and return help; after -- they are arguments', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(parseFlags('x', ['--port', '1', '--help'], FLAGS, 'usage: x\n\n')).toBe('help');
      expect(parseFlags('x', ['-h'], FLAGS, 'usage: x')).toBe('help');
      expect(write.mock.calls).toEqual([['usage: x\n'], ['usage: x\n']]);
      expect(parseFlags('x', ['--', '-h'], FLAGS, 'usage')).toEqual({ values: {}, positionals: ['-h'] });
    } finally {
      write.mockRestore();
    }
  });
});

describe('validators', () => {
  test('portOf takes 0..65535 written as digits', () => {
    expect(portOf('port', '0')).toBe(0);
    expect(portOf('port', '65535')).toBe(65535);
    for (const bad of ['abc', '', '-1', '65536', '1e3', '0x10', ' 80', '80.0']) {
      expect(messageOf(() => portOf('port', bad))).toBe(
        `flightsql serve: --port must be an integer from 0 to 65535, got '${bad}'`,
      );
    }
    expect(messageOf(() => portOf('http-port', 'x', 'other'))).toBe(
      "flightsql other: --http-port must be an integer from 0 to 65535, got 'x'",
    );
  });

  test('positiveIntOf, secondsOf, choiceOf', () => {
    expect(positiveIntOf('max-rows', '12', 'query')).toBe(12);
    expect(messageOf(() => positiveIntOf('max-rows', '0', 'query'))).toBe(
      "flightsql query: --max-rows must be a positive integer, got '0'",
    );
    expect(messageOf(() => positiveIntOf('max-rows', '99999999999999999999', 'query'))).toMatch(
      /positive integer/,
    );
    expect(secondsOf('timeout', '2.5', 'query')).toBe(2500);
    expect(messageOf(() => secondsOf('timeout', '0', 'query'))).toBe(
      "flightsql query: --timeout must be a positive number of seconds, got '0'",
    );
    expect(choiceOf('format', 'csv', ['csv', 'json'], 'query')).toBe('csv');
    expect(messageOf(() => choiceOf('format', 'xml', ['csv', 'json'], 'query'))).toBe(
      "flightsql query: --format must be one of csv, json, got 'xml'",
    );
  });
});
