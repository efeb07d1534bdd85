/**
 * `flightsql query [SQL]`: runs SQL (an argument, `-f FILE` or stdin) against a Flight SQL server
 * and streams each result to stdout or a file, in one of the output formats.
 */
import { readFile, rm } from 'node:fs/promises';
import { statementKind } from '../dbapi/statementKind';
import { FlightSQLClient } from '../index';
import { UsageError, choiceOf, parseFlags, positiveIntOf } from './args';
import { CONNECTION_FLAGS, CONNECTION_USAGE, clientOptions } from './connection';
import { withConnectionHint } from './hints';
import { FORMATS, defaultFormat, formatOfPath, openSink, resultWriter, type Format } from './output';
import type { Sink } from './output/sink';
import { runStatement, updateStatus } from './run';
import { scriptStatements } from './statements';

const USAGE = `usage: flightsql query [flags] [SQL]

Runs SQL and streams the result as it arrives: rows are printed batch by batch, every endpoint
of the result read in order as one result. The SQL comes from the arguments, from -f FILE, or
from stdin when there is no SQL argument and stdin is not a terminal. Several statements
separated by semicolons run one after another.

output:
  --format F, -F F     table, csv, json, ndjson, arrow (Arrow IPC stream) or parquet; default:
                       from --output's extension, else table on a terminal and csv otherwise
  --output FILE, -o    write the result to FILE ('-' is stdout; arrow and parquet need one)
  --max-rows N         stop after N rows: the rest of the result is cancelled on the server
  --no-header          csv: leave out the header line; table: leave out the (N rows) footer
  --no-progress        no progress line on stderr (shown only when stderr is a terminal and the
                       result is not printed there)
  -f FILE, --file FILE read the SQL from FILE ('-' for stdin)

${CONNECTION_USAGE}

examples:
  flightsql serve --port 31337 &
  flightsql query "SELECT 42 AS answer"
  flightsql query --format json --max-rows 10 "SELECT * FROM home"
  flightsql query -f report.sql --output report.parquet
  echo "SELECT count(*) FROM home" | flightsql query --host grpc+tls://db.example.com:443`;

const FLAGS = {
  ...CONNECTION_FLAGS,
  format: { type: 'string', short: 'F' },
  output: { type: 'string', short: 'o' },
  'max-rows': { type: 'string' },
  'no-header': { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  file: { type: 'string', short: 'f' },
} as const;

/** Formats that hold exactly one result. */
const SINGLE_RESULT: ReadonlySet<Format> = new Set(['json', 'arrow', 'parquet']);

/** `flightsql query`: see the usage text. */
export async function query(argv: string[]): Promise<void> {
  const parsed = parseFlags('query', argv, FLAGS, USAGE);
  if (parsed === 'help') return;
  const { values, positionals } = parsed;
  const output = values.output;
  const format: Format =
    values.format !== undefined
      ? choiceOf('format', values.format, FORMATS, 'query')
      : ((output !== undefined && output !== '-' ? formatOfPath(output) : undefined) ??
        defaultFormat(output));
  const maxRows =
    values['max-rows'] === undefined ? undefined : positiveIntOf('max-rows', values['max-rows'], 'query');
  const statements = scriptStatements(await sqlOf(values.file, positionals));
  if (statements.length === 0)
    throw new UsageError('flightsql query: no SQL given (an argument, -f FILE or stdin)');
  const queries = statements.filter((sql) => statementKind(sql) === 'query').length;
  if (queries > 1 && SINGLE_RESULT.has(format)) {
    throw new UsageError(
      `flightsql query: --format ${format} holds one result, but ${queries} statements return rows`,
    );
  }
  const options = clientOptions('query', values);
  const sink = await openSink('query', format, output);
  const client = new FlightSQLClient(options);
  const toTerminal = (output === undefined || output === '-') && process.stdout.isTTY === true;
  let results = 0;
  const file = output !== undefined && output !== '-' ? output : undefined;
  await writingTo(sink, client, file, async () => {
    for (const sql of statements) {
      const result = await runStatement(
        client,
        sql,
        async () => {
          // Tables of several results are told apart by a blank line.
          if (results++ > 0 && format === 'table') await sink.write('\n');
          return resultWriter(format, sink, { header: !values['no-header'] });
        },
        { maxRows, progress: !values['no-progress'] && !toTerminal },
      ).catch((err: unknown) => {
        throw withConnectionHint(err, options, values.host);
      });
      if (result.kind === 'update') {
        const text = `${updateStatus(sql, result.count)}\n`;
        // A status line is for people: with a machine format it goes to stderr.
        if (format === 'table') await sink.write(text);
        else process.stderr.write(text);
      }
    }
  });
}

/**
 * Runs `work` (statements writing to `sink`), then closes the client and ends the sink, each
 * once. When `work` fails, its error is the one thrown, not a later failure to close the client
 * or to flush the output (a full disk), and the output `file`, if any, is removed: a
 * half-written file could be taken for a result.
 */
export async function writingTo(
  sink: Sink,
  client: { close(): Promise<void> },
  file: string | undefined,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (err) {
    await client.close().catch(() => {});
    await sink.end().catch(() => {});
    if (file !== undefined) await rm(file, { force: true }).catch(() => {});
    throw err;
  }
  try {
    await client.close();
  } finally {
    await sink.end();
  }
}

/** The SQL of the command line: `-f FILE` (or '-'), else the arguments, else piped stdin. */
async function sqlOf(file: string | undefined, positionals: string[]): Promise<string> {
  if (file !== undefined) {
    if (positionals.length > 0)
      throw new UsageError('flightsql query: give the SQL as an argument or with -f, not both');
    return file === '-' ? readStdin() : readFile(file, 'utf8');
  }
  if (positionals.length > 0) return positionals.join(' ');
  if (process.stdin.isTTY) {
    throw new UsageError('flightsql query: no SQL given (an argument, -f FILE or stdin)');
  }
  return readStdin();
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
