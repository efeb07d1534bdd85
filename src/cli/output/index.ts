/**
 * The output formats of `flightsql query` and the shell, and where each writes: text formats
 * to stdout (or `--output FILE`), binary formats to `--output FILE` (or `--output -` when stdout
 * is not a terminal).
 */
import { extname } from 'node:path';
import { UsageError } from '../args';
import { ArrowWriter } from './arrow';
import { CsvWriter } from './csv';
import { JsonWriter } from './json';
import { ParquetWriter } from './parquet';
import { openOutputFile, type Output } from './outputFile';
import { stdoutSink, type Sink } from './sink';
import { TableWriter } from './table';
import type { ResultWriter } from './writer';

export type { ResultWriter } from './writer';
export { OutputClosed, stdoutSink, type Sink } from './sink';
export type { Output } from './outputFile';

/** Every output format. */
export const FORMATS = ['table', 'csv', 'json', 'ndjson', 'arrow', 'parquet'] as const;
/** An output format. */
export type Format = (typeof FORMATS)[number];

/** Formats whose bytes are not text: they need a file (or a pipe). */
const BINARY: ReadonlySet<Format> = new Set(['arrow', 'parquet']);

/** The format when none is asked for: a table for a terminal, CSV for a pipe or a file. */
export function defaultFormat(output: string | undefined): Format {
  return output === undefined && process.stdout.isTTY === true ? 'table' : 'csv';
}

/**
 * Checks where `format` may write and opens the destination: `output` is a file path (written
 * whole on `commit`, see `openOutputFile`), `-` for stdout, or undefined (stdout; not allowed
 * for binary formats).
 */
export async function openOutput(
  command: string,
  format: Format,
  output: string | undefined,
): Promise<Output> {
  if (BINARY.has(format)) {
    if (output === undefined) {
      throw new UsageError(`flightsql ${command}: --format ${format} writes a file: add --output FILE`);
    }
    if (output === '-' && process.stdout.isTTY === true) {
      throw new UsageError(
        `flightsql ${command}: --format ${format} is binary; --output - needs stdout to be a pipe or a file`,
      );
    }
  }
  if (output !== undefined && output !== '-') return openOutputFile(output);
  return { sink: stdoutSink(), commit: async () => {}, discard: async () => {} };
}

/** The format a file name's extension names, if any (`.csv`, `.json`, `.parquet`, ...). */
export function formatOfPath(path: string): Format | undefined {
  const ext = extname(path).toLowerCase();
  return EXTENSIONS[ext];
}

const EXTENSIONS: Readonly<Record<string, Format>> = {
  '.csv': 'csv',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.arrow': 'arrow',
  '.arrows': 'arrow',
  '.ipc': 'arrow',
  '.parquet': 'parquet',
  '.txt': 'table',
};

/**
 * The writer of `format` into `sink`. `header: false` leaves out CSV's header line and the
 * table's `(N rows)` footer.
 */
export function resultWriter(format: Format, sink: Sink, options: { header?: boolean } = {}): ResultWriter {
  switch (format) {
    case 'table':
      return new TableWriter(sink, { footer: options.header });
    case 'csv':
      return new CsvWriter(sink, { header: options.header });
    case 'json':
      return new JsonWriter(sink, { lines: false });
    case 'ndjson':
      return new JsonWriter(sink, { lines: true });
    case 'arrow':
      return new ArrowWriter(sink);
    case 'parquet':
      return new ParquetWriter(sink);
  }
}
