/**
 * Flag parsing shared by every `flightsql` command: `util.parseArgs` in strict mode, `--help`, and
 * validators whose failures are {@link UsageError}s (main.ts prints those with a hint and exits 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InterfaceError } from '../errors';

/** A bad command line: unknown flag, missing or malformed value. `main` exits 2 on it. */
export class UsageError extends InterfaceError {}

/** The option table of one command, as `util.parseArgs` takes it. */
export type FlagOptions = NonNullable<ParseArgsConfig['options']>;

type Parsed<T extends FlagOptions> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: true }>
>;

/**
 * Parses `argv` for `command` strictly. `--help`/`-h` anywhere prints `usage` to stdout and returns
 * `'help'`; every parse error becomes a {@link UsageError} named after the command, e.g.
 * "flightsql query: unknown option '--foo'".
 */
export function parseFlags<T extends FlagOptions>(
  command: string,
  argv: string[],
  options: T,
  usage: string,
): { values: Parsed<T>['values']; positionals: string[] } | 'help' {
  // `--` ends the flags: a '-h' after it is SQL, not a help request.
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  if (flags.includes('--help') || flags.includes('-h')) {
    process.stdout.write(`${usage.trimEnd()}\n`);
    return 'help';
  }
  try {
    const parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
    return { values: parsed.values, positionals: parsed.positionals };
  } catch (err) {
    throw new UsageError(`flightsql ${command}: ${describe(err)}`);
  }
}

/** Rewrites node's parseArgs messages (long, with hints meant for programmers) as short ones. */
function describe(err: unknown): string {
  // Not `instanceof Error`: node's errors may come from another realm (a test VM).
  const message = String((err as { message?: unknown } | null)?.message ?? err);
  const code = (err as { code?: string }).code;
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) return `unknown option '${unknown[1]}'`;
  const missing = /^Option '(?:-\w, )?(--[^ ']+)[^']*' argument missing/.exec(message);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && missing) return `${missing[1]} needs a value`;
  const noValue = /^Option '(?:-\w, )?(--[^']+)' does not take an argument/.exec(message);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && noValue) return `${noValue[1]} takes no value`;
  const ambiguous = /^Option '(?:-\w, )?(--[^ ']+)[^']*' argument is ambiguous/.exec(message);
  if (ambiguous)
    return `${ambiguous[1]} needs a value (one that starts with '-' goes as ${ambiguous[1]}=VALUE)`;
  return message.split(/\.\s|\n/)[0]!.replace(/\.$/, '');
}

/** Throws a UsageError "flightsql COMMAND: --NAME must be ..., got 'VALUE'". */
function invalid(command: string, name: string, rule: string, value: string): never {
  throw new UsageError(`flightsql ${command}: --${name} must be ${rule}, got '${value}'`);
}

/** Parses an integer flag made of digits only (no '1e3', no '0x10', no blanks). */
function integerOf(value: string): number | undefined {
  return /^\d+$/.test(value.trim()) && value.trim() === value ? Number(value) : undefined;
}

/**
 * Parses a port flag: an integer from 0 to 65535 (0 picks a free port).
 * @param name the flag without dashes, e.g. `port`, for the message; `command` defaults to serve.
 */
export function portOf(name: string, value: string, command = 'serve'): number {
  const port = integerOf(value);
  if (port === undefined || port > 65535) invalid(command, name, 'an integer from 0 to 65535', value);
  return port;
}

/** Parses a flag that must be a positive integer (1 or more), e.g. `--max-rows`. */
export function positiveIntOf(name: string, value: string, command: string): number {
  const n = integerOf(value);
  if (n === undefined || n < 1 || !Number.isSafeInteger(n))
    invalid(command, name, 'a positive integer', value);
  return n;
}

/** Parses a duration flag in seconds (decimals allowed, e.g. `--timeout 2.5`); returns milliseconds. */
export function secondsOf(name: string, value: string, command: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(seconds > 0)) invalid(command, name, 'a positive number of seconds', value);
  return Math.round(seconds * 1000);
}

/** Checks that a flag's value is one of `choices`. */
export function choiceOf<C extends string>(
  name: string,
  value: string,
  choices: readonly C[],
  command: string,
): C {
  if (!(choices as readonly string[]).includes(value))
    invalid(command, name, `one of ${choices.join(', ')}`, value);
  return value as C;
}
