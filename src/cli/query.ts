/**
 * `flightsql query [SQL]`: runs SQL (an argument, `-f FILE` or stdin) against a Flight SQL server
 * and streams each result to stdout or a file, in one of the output formats.
 */
import { statementKind } from '../dbapi/statementKind';
import { FlightSQLClient } from '../index';
import { UsageError, choiceOf, parseFlags, positiveIntOf } from './args';
import { CONNECTION_FLAGS, CONNECTION_USAGE, clientOptions } from './connection';
import { readTextFile } from './files';
import { withConnectionHint } from './hints';
import {
  FORMATS,
  defaultFormat,
  formatOfPath,
  openOutput,
  resultWriter,
  type Format,
  type Output,
} from './output';
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
  --output FILE, -o    write the result to FILE ('-' is stdout; arrow and parquet need one); FILE
                       is replaced only when every statement succeeded
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
  const destination = await openOutput('query', format, output);
  const { sink } = destination;
  const client = new FlightSQLClient(options);
  const toTerminal = (output === undefined || output === '-') && process.stdout.isTTY === true;
  let results = 0;
  await writingTo(destination, client, async () => {
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
 * Runs `work` (statements writing to `output`'s sink), then closes the client and ends the
 * sink, each once. The output is committed (an output file replaces its target) only when
 * `work` succeeded and the sink ended; otherwise it is discarded, so a half-written file is
 * never taken for a result and an existing file is kept. When `work` fails, its error is the
 * one thrown, not a later failure to close the client or to flush the output (a full disk).
 */
export async function writingTo(
  output: Output,
  client: { close(): Promise<void> },
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (err) {
    await client.close().catch(() => {});
    await output.sink.end().catch(() => {});
    await output.discard().catch(() => {});
    throw err;
  }
  // The results are complete: a failure to close the client does not cost them.
  let closeFailure: { error: unknown } | undefined;
  await client.close().catch((error: unknown) => void (closeFailure = { error }));
  try {
    await output.sink.end();
  } catch (err) {
    await output.discard().catch(() => {});
    throw err;
  }
  await output.commit();
  if (closeFailure) throw closeFailure.error;
}

/** The SQL of the command line: `-f FILE` (or '-'), else the arguments, else piped stdin. */
async function sqlOf(file: string | undefined, positionals: string[]): Promise<string> {
  if (file !== undefined) {
    if (positionals.length > 0)
      throw new UsageError('flightsql query: give the SQL as an argument or with -f, not both');
    return file === '-' ? readStdin() : readTextFile(file);
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
