/**
 * `flightsql write FILE...`: streams line protocol, CSV, JSON, NDJSON, Parquet or Arrow IPC
 * files (or stdin) into InfluxDB 1.x (`/write`), 2.x (`/api/v2/write`) or 3 (`/api/v3/write_lp`)
 * a batch at a time: the file is never held whole, each batch is sent before the next is read,
 * and the first batch the server refuses stops the command (exit 1, the server's message).
 */
import { createWriteStream, fstatSync, mkdtempSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { InterfaceError, messageOf } from '../errors';
import { InfluxDBClient3, type Precision, type RejectedLine, type RowMapping } from '../influx';
import type { WirePrecision } from '../influx/timestamps';
import { writeFileLines, type FileFormat } from '../influx/writeFile';
import { UsageError, choiceOf, parseFlags, positiveIntOf } from './args';
import { cannotRead } from './files';
import {
  CONNECTION_FLAGS,
  CONNECTION_USAGE,
  connectionOf,
  v1Client,
  type Connection,
} from './influxConnection';
import { env } from '../flight/options';
import { Progress, formatElapsed, rate } from './progress';
import { readLineProtocol } from './writeLines';

const USAGE = `usage: flightsql write [flags] FILE...       (FILE '-' reads stdin)

Writes points to InfluxDB 1.x, 2.x or 3, a batch at a time; a progress line on stderr when it
is a terminal, then "wrote N points in T (R points/s)" (unless --quiet). The first batch the
server refuses stops the command: exit 1 with the server's message.

target:
  --api v1|v2|v3           v1: InfluxDB 1.x /write (default); v2: /api/v2/write (InfluxDB 2.x,
                           and 3's compatibility endpoint); v3: InfluxDB 3 /api/v3/write_lp
  --database DB, -d DB     database (default INFLUX_DATABASE); for v2 the bucket
  --bucket B               the same as --database (default INFLUX_BUCKET)
  --org ORG                v2: the organisation (default INFLUX_ORG)
  --retention-policy RP    v1: the retention policy (default: the database's default)
  --precision P            of the timestamps: ns (default), us, ms, s; v1 also m, h

input:
  --format F               lp, csv, json (an array of objects), ndjson, parquet, arrow (IPC file or
                           stream, Feather); default from the extension (.lp .line .txt .csv .json
                           .ndjson .jsonl .parquet .arrow .arrows .feather .ipc), lp for stdin
  --measurement M          csv/json/ndjson/parquet/arrow: the measurement of every row
  --measurement-column C   ... or the column that holds each row's measurement
  --tag C                  a column written as a tag (repeat, or C1,C2); other columns are fields
  --timestamp-column C     the column of the time (RFC 3339 text, or a number in --precision)
  --integer C              csv/json: a column whose numbers are integer fields (repeat, or C1,C2);
                           other numbers are floats
  --delimiter X            csv: the field delimiter (default ,)

sending:
  --batch-size N           points per request (default 5000)
  --gzip                   gzip the requests
  --retries N              retries of a request that could not connect (v2/v3: also other network
                           failures and 429 or 503 answers), with backoff (default 3; 0: none)
  --quiet, -q              no summary line

${CONNECTION_USAGE}`;

const FLAGS = {
  ...CONNECTION_FLAGS,
  api: { type: 'string' },
  database: { type: 'string', short: 'd' },
  bucket: { type: 'string' },
  org: { type: 'string' },
  'retention-policy': { type: 'string' },
  precision: { type: 'string' },
  format: { type: 'string' },
  measurement: { type: 'string' },
  'measurement-column': { type: 'string' },
  tag: { type: 'string', multiple: true },
  'timestamp-column': { type: 'string' },
  integer: { type: 'string', multiple: true },
  delimiter: { type: 'string' },
  'batch-size': { type: 'string' },
  gzip: { type: 'boolean' },
  retries: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

/** What `--format` takes: line protocol, or a format writeFile reads. */
type Format = 'lp' | FileFormat;
const FORMATS: readonly Format[] = ['lp', 'csv', 'json', 'ndjson', 'parquet', 'arrow'];

const EXTENSIONS: Readonly<Record<string, Format>> = {
  '.lp': 'lp',
  '.line': 'lp',
  '.txt': 'lp',
  '.csv': 'csv',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.parquet': 'parquet',
  '.arrow': 'arrow',
  '.arrows': 'arrow',
  '.feather': 'arrow',
  '.ipc': 'arrow',
};

const WIRE: Readonly<Record<string, WirePrecision>> = { ns: 'n', us: 'u', ms: 'ms', s: 's', m: 'm', h: 'h' };

/** The command line, checked. */
interface Settings {
  readonly files: readonly string[];
  readonly api: 'v1' | 'v2' | 'v3';
  readonly database: string;
  readonly org: string | undefined;
  readonly retentionPolicy: string | undefined;
  readonly precision: Precision;
  readonly format: Format | undefined;
  readonly mapping: RowMapping & { readonly delimiter?: string };
  readonly batchSize: number;
  readonly retries: number;
  readonly gzip: boolean;
  readonly quiet: boolean;
}

/** Sends one batch of lines; throws the server's error. */
interface Sender {
  send(lines: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** `flightsql write [flags] FILE...`; throws UsageError for a bad command line. */
export async function write(argv: string[]): Promise<void> {
  const parsed = parseFlags('write', argv, FLAGS, USAGE);
  if (parsed === 'help') return;
  const settings = settingsOf(parsed.values, parsed.positionals);
  const connection = connectionOf('write', parsed.values);
  if (settings.api !== 'v1' && connection.username !== undefined) {
    throw new UsageError(`flightsql write: --username is for --api v1; ${settings.api} takes --token`);
  }
  const formats = settings.files.map((file) => formatOf(file, settings));
  await Promise.all(settings.files.map(checkReadable));
  const sender = senderOf(settings, connection);
  const label = settings.files.length === 1 ? `write ${settings.files[0]}` : 'write';
  const progress = new Progress(label, process.stderr, 'points');
  const send = async (lines: readonly string[]) => {
    if (lines.length === 0) return;
    let bytes = lines.length - 1;
    for (const line of lines) bytes += Buffer.byteLength(line);
    try {
      await sender.send(lines);
    } catch (err) {
      progress.done();
      reportFailure(err, progress.rows, lines.length);
      throw err;
    }
    progress.add(lines.length, bytes);
  };
  try {
    for (const [i, file] of settings.files.entries()) {
      const format = formats[i]!;
      if (format === 'lp') {
        await readLineProtocol(file, settings.batchSize, send);
        continue;
      }
      const input = file === '-' ? await stdinFile() : { path: file, remove: () => undefined };
      try {
        await writeFileLines(
          input.path,
          WIRE[settings.precision]!,
          { ...settings.mapping, format, chunkRows: settings.batchSize },
          send,
        );
      } finally {
        input.remove();
      }
    }
  } finally {
    progress.done();
    await sender.close();
  }
  if (!settings.quiet) {
    const elapsed = progress.elapsedMs;
    process.stderr.write(
      `wrote ${progress.rows} point${progress.rows === 1 ? '' : 's'} in ${formatElapsed(elapsed)} (${rate(progress.rows, elapsed)} points/s)\n`,
    );
  }
}

type Values = Exclude<ReturnType<typeof parseFlags<typeof FLAGS>>, 'help'>['values'];

function settingsOf(values: Values, files: string[]): Settings {
  if (files.length === 0) throw new UsageError('flightsql write: no FILE given (- reads stdin)');
  if (files.filter((f) => f === '-').length > 1)
    throw new UsageError('flightsql write: stdin (-) given twice');
  const api = choiceOf('api', values.api ?? 'v1', ['v1', 'v2', 'v3'] as const, 'write');
  if (values.database !== undefined && values.bucket !== undefined && values.database !== values.bucket) {
    throw new UsageError('flightsql write: --database and --bucket name the same thing; give one');
  }
  const database = values.database ?? values.bucket ?? env('INFLUX_DATABASE') ?? env('INFLUX_BUCKET');
  if (!database)
    throw new UsageError('flightsql write: no database: give --database (or set INFLUX_DATABASE)');
  const precisions =
    api === 'v1' ? (['ns', 'us', 'ms', 's', 'm', 'h'] as const) : (['ns', 'us', 'ms', 's'] as const);
  const precision = choiceOf('precision', values.precision ?? 'ns', precisions, 'write');
  if (api !== 'v1' && values['retention-policy'] !== undefined) {
    throw new UsageError(
      `flightsql write: --retention-policy is for --api v1 (2.x and 3 map buckets/databases to retention)`,
    );
  }
  if (api !== 'v2' && values.org !== undefined) {
    throw new UsageError('flightsql write: --org is for --api v2');
  }
  const format =
    values.format === undefined ? undefined : choiceOf('format', values.format, FORMATS, 'write');
  const list = (items: readonly string[] | undefined) =>
    items?.flatMap((item) => item.split(',')).filter((name) => name !== '');
  const mapping = {
    measurement: values.measurement,
    measurementColumn: values['measurement-column'],
    tagColumns: list(values.tag),
    timestampColumn: values['timestamp-column'],
    integerColumns: list(values.integer),
    delimiter: values.delimiter,
  };
  return {
    files,
    api,
    database,
    org: values.org ?? (api === 'v2' ? env('INFLUX_ORG') : undefined),
    retentionPolicy: values['retention-policy'],
    precision,
    format,
    mapping,
    batchSize:
      values['batch-size'] === undefined ? 5000 : positiveIntOf('batch-size', values['batch-size'], 'write'),
    retries: values.retries === undefined ? 3 : countOf('retries', values.retries),
    gzip: values.gzip ?? false,
    quiet: values.quiet ?? false,
  };
}

/** A count flag: 0 or more. */
function countOf(name: string, value: string): number {
  if (!/^\d{1,6}$/.test(value))
    throw new UsageError(`flightsql write: --${name} must be 0 or a positive integer, got '${value}'`);
  return Number(value);
}

/** The format of `file`, checked against the mapping flags. */
function formatOf(file: string, settings: Settings): Format {
  let format = settings.format;
  if (file === '-') {
    format ??= 'lp';
    if (format === 'parquet') {
      throw new UsageError(
        'flightsql write: Parquet cannot be read from stdin (it needs to seek); give a file',
      );
    }
  } else {
    format ??= EXTENSIONS[extname(file).toLowerCase()];
    if (!format) {
      throw new UsageError(
        `flightsql write: cannot tell the format of '${file}' from its extension: give --format ${FORMATS.join('|')}`,
      );
    }
  }
  const m = settings.mapping;
  if (format === 'lp') {
    const given = [
      m.measurement && '--measurement',
      m.measurementColumn && '--measurement-column',
      m.tagColumns && '--tag',
      m.timestampColumn && '--timestamp-column',
      m.integerColumns && '--integer',
      m.delimiter && '--delimiter',
    ].filter(Boolean);
    if (given.length > 0)
      throw new UsageError(
        `flightsql write: ${given.join(', ')} map the columns of csv, json, ndjson, parquet and arrow files; '${file}' is line protocol`,
      );
  } else if (m.measurement === undefined && m.measurementColumn === undefined) {
    throw new UsageError(`flightsql write: ${format} rows need --measurement M or --measurement-column C`);
  }
  if (m.delimiter !== undefined && format !== 'csv')
    throw new UsageError('flightsql write: --delimiter is for csv files');
  return format;
}

/** Fails before anything is sent when a file cannot be read. */
async function checkReadable(file: string): Promise<void> {
  if (file === '-') return;
  const info = await stat(file).catch((err: unknown) => {
    throw cannotRead(file, err);
  });
  if (!info.isFile()) throw new InterfaceError(`cannot read '${file}': not a file`);
}

/** The client of the chosen API, sending one batch per call (no background batching, so a failure stops the next read). */
function senderOf(settings: Settings, connection: Connection): Sender {
  if (settings.api === 'v1') {
    const client = v1Client(connection, { gzip: settings.gzip, retries: settings.retries });
    const options = {
      protocol: 'line',
      database: settings.database,
      retentionPolicy: settings.retentionPolicy,
      timePrecision: settings.precision,
    } as const;
    return { send: async (lines) => void (await client.write(lines, options)), close: () => client.close() };
  }
  const client = new InfluxDBClient3({
    host: connection.url.href,
    token: connection.token,
    database: settings.database,
    org: settings.org,
    // InfluxDB 2.x takes only its own scheme; InfluxDB 3 takes both.
    authScheme: settings.api === 'v2' ? 'Token' : 'Bearer',
    timeoutMs: connection.timeoutMs,
    writeOptions: {
      batching: false,
      endpoint: settings.api,
      precision: settings.precision,
      batchSize: settings.batchSize,
      maxRetries: settings.retries,
      retryInterval: 1000,
      gzipThreshold: settings.gzip ? 0 : Infinity,
    },
  });
  return { send: (lines) => client.write(lines), close: () => client.close() };
}

/**
 * A path the file readers can open for stdin: /dev/stdin itself when it is a pipe, a file or a
 * terminal (read as it comes); a copy in a temporary file when it is a socket, which cannot be
 * opened by name (Node gives spawned children socket pairs).
 */
async function stdinFile(): Promise<{ path: string; remove(): void }> {
  if (!fstatSync(0).isSocket()) return { path: '/dev/stdin', remove: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'flightsql-stdin-'));
  const path = join(dir, 'stdin');
  await pipeline(process.stdin, createWriteStream(path));
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The most refused lines a server is known to list for one request (the embedded server's
 * limit): a list this long may be cut short, so the count of the points kept is then a bound.
 */
const LISTED_AT_MOST = 100;

/** `1 point was`, `3 points were`. */
function pointsWere(n: number): string {
  return n === 1 ? '1 point was' : `${n} points were`;
}

/**
 * Says, before the error itself, what reached the server and which points failed. `written`
 * points went in before this `batch`; of an InfluxDB 3 partial write, the batch's points the
 * server did not list as refused went in too.
 */
function reportFailure(err: unknown, written: number, batch: number): void {
  const range = `the batch of points ${written + 1} to ${written + batch}`;
  const rejected = (err as { rejected?: readonly RejectedLine[] }).rejected;
  const partial = /partial write/.test(messageOf(err));
  const lines: string[] = [];
  if (rejected && rejected.length > 0) {
    if (partial) {
      // InfluxDB 3 kept the batch's good lines and names the bad ones.
      const bound = rejected.length >= LISTED_AT_MOST ? 'at most ' : '';
      const kept = batch - rejected.length;
      lines.push(
        `flightsql write: ${bound}${pointsWere(written + kept)} written; the server refused ${rejected.length} of ${range}${kept > 0 ? ' and kept the others' : ''}:`,
      );
    } else {
      // accept_partial=false: one bad line refuses the whole request.
      lines.push(
        `flightsql write: ${pointsWere(written)} written; ${range} failed, refused whole for these points:`,
      );
    }
    for (const r of rejected.slice(0, 10))
      lines.push(`  point ${written + r.lineNumber}: ${r.message}: ${r.line}`);
    if (rejected.length > 10) lines.push(`  ... and ${rejected.length - 10} more`);
  } else {
    lines.push(`flightsql write: ${pointsWere(written)} written; ${range} failed`);
    if (partial)
      lines.push('a partial write: InfluxDB may have kept some points of this batch (its message follows)');
  }
  process.stderr.write(`${lines.join('\n')}\n`);
}
