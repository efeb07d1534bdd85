/**
 * `flightsql shell`: an interactive SQL shell in the manner of psql and the DuckDB shell.
 * Statements end with `;` and may span lines; backslash commands (`\dt`, `\d`, `\timing`,
 * `\q`, ...) take one line. On a terminal it keeps history and Ctrl-C cancels the running
 * statement; with stdin piped it runs the script quietly (no prompts) and exits 1 if any
 * statement failed.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { FlightSQLClient } from '../index';
import { choiceOf, parseFlags, positiveIntOf } from './args';
import { CONNECTION_FLAGS, CONNECTION_USAGE, clientOptions } from './connection';
import { describeTable, listTables } from './describe';
import { withConnectionHint } from './hints';
import { OutputClosed, resultWriter, stdoutSink, type Format, type Sink } from './output';
import { runStatement, updateStatus } from './run';
import { splitStatements } from './statements';
import { packageVersion } from './version';

const PROMPT = 'flightsql> ';
const CONTINUATION = '      -> ';
/** Text formats the shell prints (arrow and parquet need a file: use `flightsql query`). */
const SHELL_FORMATS = ['table', 'csv', 'json', 'ndjson'] as const satisfies readonly Format[];
/** History entries kept. */
const HISTORY_SIZE = 1000;

const USAGE = `usage: flightsql shell [flags]

An interactive SQL shell. Statements end with ';' and may span lines. On a terminal: line
editing, history (~/.flightsql_history, or FLIGHTSQL_HISTORY; empty for none), Ctrl-C cancels
the running statement (or clears the line), Ctrl-D quits. With stdin piped it runs the script
without prompts and exits 1 if a statement failed.

flags:
  --format F, -F F     table (default), csv, json or ndjson
  --max-rows N         stop each result after N rows (the rest is cancelled on the server)
  --stop-on-error      with stdin piped: stop at the first failed statement

${CONNECTION_USAGE}

${backslashHelp()}`;

function backslashHelp(): string {
  return `commands:
  \\dt [PATTERN]        list tables and views (GetTables; the engine's own only with a PATTERN);
                       PATTERN with * and ? (or % and _), or SCHEMA.PATTERN
  \\d TABLE             a table's columns and keys ([catalog.][schema.]table)
  \\timing [on|off]     show how long each statement took
  \\format F            table, csv, json or ndjson
  \\?                   this help
  \\q                   quit`;
}

const FLAGS = {
  ...CONNECTION_FLAGS,
  format: { type: 'string', short: 'F' },
  'max-rows': { type: 'string' },
  'stop-on-error': { type: 'boolean' },
} as const;

/** The history file: FLIGHTSQL_HISTORY (empty: none), else ~/.flightsql_history. */
function historyFile(): string | undefined {
  const path = process.env['FLIGHTSQL_HISTORY'];
  if (path === '') return undefined;
  return path ?? join(homedir(), '.flightsql_history');
}

function loadHistory(path: string | undefined): string[] {
  if (!path) return [];
  try {
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    // readline wants the newest entry first.
    return lines.slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

/** What the shell holds between lines. */
interface State {
  format: Format;
  timing: boolean;
  failures: number;
  /** The statement being typed (lines so far). */
  buffer: string;
  /** Cancels the running statement. */
  running: AbortController | undefined;
  quit: boolean;
}

/** `flightsql shell`: see the usage text. */
export async function shell(argv: string[]): Promise<void> {
  const parsed = parseFlags('shell', argv, FLAGS, USAGE);
  if (parsed === 'help') return;
  const { values } = parsed;
  const format =
    values.format === undefined ? 'table' : choiceOf('format', values.format, SHELL_FORMATS, 'shell');
  const maxRows =
    values['max-rows'] === undefined ? undefined : positiveIntOf('max-rows', values['max-rows'], 'shell');
  const options = clientOptions('shell', values);
  const interactive = process.stdin.isTTY === true;
  const history = interactive ? historyFile() : undefined;
  const rl = createInterface({
    input: process.stdin,
    output: interactive ? process.stdout : undefined,
    terminal: interactive,
    history: loadHistory(history),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    crlfDelay: Infinity,
  });
  const sink = stdoutSink();
  const client = new FlightSQLClient(options);
  const state: State = { format, timing: false, failures: 0, buffer: '', running: undefined, quit: false };
  const remember = (entry: string) => {
    if (!history) return;
    try {
      appendFileSync(history, `${entry.replace(/\s*\n\s*/g, ' ')}\n`, { mode: 0o600 });
    } catch {
      // A history that cannot be written must not stop the shell.
    }
  };
  const prompt = () => {
    rl.setPrompt(state.buffer ? CONTINUATION : PROMPT);
    rl.prompt();
  };
  rl.on('SIGINT', () => {
    if (state.running) {
      state.running.abort(new Error('cancelled by Ctrl-C'));
      return;
    }
    // As psql: Ctrl-C at the prompt drops what was typed (the statement and the line).
    state.buffer = '';
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
    process.stdout.write('^C\n');
    prompt();
  });

  const hint = (err: unknown) => withConnectionHint(err, options, values.host);
  const run = (sql: string) =>
    attempt(state, sink, hint, async (signal) => {
      const result = await runStatement(
        client,
        sql,
        async () => resultWriter(state.format, sink, { header: true }),
        { maxRows, signal },
      );
      if (result.kind === 'update') {
        await sink.write(`${updateStatus(sql, result.count)}\n`);
      } else if (state.format === 'table') await sink.write('\n');
    });

  if (interactive) {
    process.stdout.write(
      `flightsql ${packageVersion()} shell on ${options.host}; \\? for help, \\q to quit\n`,
    );
    prompt();
  }
  try {
    for await (const line of rl) {
      if (state.buffer === '' && line.trim().startsWith('\\')) {
        remember(line.trim());
        await backslash(line.trim(), state, client, sink, hint);
      } else {
        state.buffer += `${line}\n`;
        const { statements, rest } = splitStatements(state.buffer);
        if (statements.length > 0) {
          remember(state.buffer.trim());
          state.buffer = rest ? `${rest}\n` : '';
          for (const sql of statements) {
            await run(sql);
            if (stopping(state, values['stop-on-error'], interactive)) break;
          }
        }
      }
      if (state.quit || stopping(state, values['stop-on-error'], interactive)) break;
      if (interactive) prompt();
    }
    // The end of a script runs a last statement that lacks its ';' (Ctrl-D at a terminal
    // drops it, as psql does).
    const { rest } = splitStatements(state.buffer);
    if (rest && !interactive && !state.quit && !stopping(state, values['stop-on-error'], false))
      await run(rest);
  } finally {
    rl.close();
    await client.close();
    await sink.end();
  }
  if (interactive) process.stdout.write('\n');
  else if (state.failures > 0) process.exitCode = 1;
}

function stopping(state: State, stopOnError: boolean | undefined, interactive: boolean): boolean {
  return !interactive && stopOnError === true && state.failures > 0;
}

/**
 * Runs `work` as the shell's current statement: Ctrl-C aborts its signal; a failure prints
 * `ERROR: message` on stderr and counts; with \timing on, the time it took follows.
 */
async function attempt(
  state: State,
  sink: Sink,
  hint: (err: unknown) => unknown,
  work: (signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const controller = new AbortController();
  state.running = controller;
  const started = performance.now();
  try {
    await work(controller.signal);
  } catch (err) {
    if (err instanceof OutputClosed) throw err;
    state.failures++;
    const error = hint(err);
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(controller.signal.aborted ? 'Cancelled.\n' : `ERROR: ${message}\n`);
  } finally {
    state.running = undefined;
  }
  if (state.timing) await sink.write(`Time: ${(performance.now() - started).toFixed(1)} ms\n`);
}

/** Runs one backslash command; errors print and count like a failed statement's. */
async function backslash(
  line: string,
  state: State,
  client: FlightSQLClient,
  sink: Sink,
  hint: (err: unknown) => unknown,
): Promise<void> {
  const [command, ...args] = line.split(/\s+/);
  const arg = args.join(' ').trim();
  const fail = (message: string) => {
    state.failures++;
    process.stderr.write(`ERROR: ${message}\n`);
  };
  switch (command) {
    case '\\q':
    case '\\quit':
      state.quit = true;
      return;
    case '\\?':
    case '\\h':
    case '\\help':
      await sink.write(
        `${backslashHelp()}\n  SQL;                 run a statement (it may span lines; it ends with ';')\n`,
      );
      return;
    case '\\timing': {
      const value = arg.toLowerCase();
      if (value !== '' && value !== 'on' && value !== 'off') return fail('\\timing takes on, off or nothing');
      state.timing = value === 'on' ? true : value === 'off' ? false : !state.timing;
      await sink.write(`Timing is ${state.timing ? 'on' : 'off'}.\n`);
      return;
    }
    case '\\format':
      if (!(SHELL_FORMATS as readonly string[]).includes(arg)) {
        return fail(`\\format takes one of ${SHELL_FORMATS.join(', ')}`);
      }
      state.format = arg as Format;
      await sink.write(`Output format is ${arg}.\n`);
      return;
    case '\\dt':
    case '\\d':
      return attempt(state, sink, hint, async (signal) => {
        if (command === '\\d' && arg) await describeTable(client, sink, arg, signal);
        else await listTables(client, sink, arg || undefined, signal);
        await sink.write('\n');
      });
    default:
      return fail(`unknown command ${command} (\\? lists the commands)`);
  }
}
