/**
 * Files to line protocol, streamed: CSV (csv-parse), JSON arrays (stream-json), NDJSON
 * (readline), Arrow IPC / Feather (apache-arrow's reader) and Parquet (hyparquet, a row group
 * at a time). Rows are converted and handed to `sink` a chunk at a time; the sink's promise
 * paces the reading, so memory stays bounded whatever the file's size. Values stay exact:
 * 64-bit integers and nanosecond timestamps in every format (JSON integers beyond 2^53 are
 * read from their text, Parquet timestamps as bigint nanoseconds).
 *
 * Columns the mapping names must exist (checkColumns), checked before anything is sent: against
 * the CSV header, the Arrow or Parquet schema, and for JSON and NDJSON, whose objects may each
 * have other keys, against every key of the first chunk's rows.
 */
import { extname } from 'node:path';
import { RecordBatchReader } from 'apache-arrow';
import { InterfaceError, messageOf, NotSupportedError } from '../errors';
import { pipeInto, readStreamOf } from './fileStream';
import { ndjsonRows, jsonArrayRows } from './jsonRows';
import {
  checkColumns,
  linesOfBatch,
  linesOfRows,
  type FieldKind,
  type RecordOptions,
  type RowMapping,
} from './records';
import type { WirePrecision } from './timestamps';

/** File formats `writeFile` reads. */
export type FileFormat = 'csv' | 'json' | 'ndjson' | 'arrow' | 'parquet';

/** Options of `writeFile`. */
export interface WriteFileOptions extends RowMapping {
  /** The format; by default from the extension (.csv, .json, .ndjson/.jsonl, .arrow/.arrows/.feather/.ipc, .parquet). */
  readonly format?: FileFormat;
  /**
   * Rows converted and written at a time (default 5000). JSON and NDJSON: the first chunk's keys
   * are the columns the mapping's names are checked against.
   */
  readonly chunkRows?: number;
  /** CSV: the field delimiter (default `,`). */
  readonly delimiter?: string;
}

const EXTENSIONS: Record<string, FileFormat> = {
  '.csv': 'csv',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.arrow': 'arrow',
  '.arrows': 'arrow',
  '.feather': 'arrow',
  '.ipc': 'arrow',
  '.parquet': 'parquet',
};

const SUPPORTED =
  'CSV (.csv), JSON (.json, an array of objects), NDJSON (.ndjson, .jsonl), Arrow IPC file or stream / Feather v2 (.arrow, .arrows, .feather, .ipc) and Parquet (.parquet)';

type Sink = (lines: readonly string[]) => Promise<void>;

/** Reads `path` and writes its rows through `sink`; the number of lines written. */
export async function writeFileLines(
  path: string,
  precision: WirePrecision,
  options: WriteFileOptions & RecordOptions,
  sink: Sink,
): Promise<number> {
  const extension = extname(path).toLowerCase();
  const format: string | undefined = options.format ?? EXTENSIONS[extension];
  if (format === 'orc' || (options.format === undefined && extension === '.orc')) {
    throw new NotSupportedError(`writeFile: ORC files are not supported; writeFile reads ${SUPPORTED}`);
  }
  if (!format) {
    throw new InterfaceError(
      `writeFile: cannot tell the format of '${path}'; pass format (writeFile reads ${SUPPORTED})`,
    );
  }
  const chunk = options.chunkRows ?? 5000;
  if (!(Number.isInteger(chunk) && chunk > 0)) {
    throw new InterfaceError(`writeFile: chunkRows must be a positive integer, not ${String(chunk)}`);
  }
  let written = 0;
  let rowsRead = 0;
  const emit = async (lines: string[]) => {
    written += lines.length;
    await sink(lines);
  };
  /** JSON's rows: the first chunk's keys stand for the file's columns (a header would be read whole). */
  const checkFirstChunk = (buffer: readonly Record<string, unknown>[]) => {
    const keys = new Set<string>();
    for (const row of buffer) for (const key in row) keys.add(key);
    const where =
      buffer.length < chunk
        ? path
        : `the first ${chunk} rows of ${path} (writeFile looks for columns there: raise chunkRows, the CLI's --batch-size, if one first appears later)`;
    checkColumns(keys, options, where);
  };
  const rows = async (source: AsyncIterable<Record<string, unknown>>, parseText: boolean, keyed: boolean) => {
    let buffer: Record<string, unknown>[] = [];
    const flush = async () => {
      if (keyed && rowsRead === 0) checkFirstChunk(buffer);
      const lines = linesOfRows(buffer, precision, options, { parseText, firstRow: rowsRead, source: path });
      rowsRead += buffer.length;
      buffer = [];
      await emit(lines);
    };
    for await (const row of source) {
      buffer.push(row);
      if (buffer.length >= chunk) await flush();
    }
    if (buffer.length) await flush();
  };
  switch (format) {
    case 'csv': {
      const { parse } = await import('csv-parse');
      const input = await readStreamOf(path);
      const parser = pipeInto(
        path,
        input,
        parse({
          // The header, checked as soon as it is read: a header-only file is checked too.
          columns: (header: string[]) => {
            checkColumns(header, options, path);
            return header;
          },
          delimiter: options.delimiter ?? ',',
          skip_empty_lines: true,
          bom: true,
        }),
      );
      // Stopped early (a bad header or cell), the file would stay open until garbage collection.
      await rows(parser as AsyncIterable<Record<string, unknown>>, true, false).finally(() =>
        input.destroy(),
      );
      break;
    }
    case 'ndjson':
      await rows(ndjsonRows(path), false, true);
      break;
    case 'json':
      await rows(jsonArrayRows(path), false, true);
      break;
    case 'arrow': {
      const input = await readStreamOf(path);
      try {
        const reader = await (await RecordBatchReader.from(input)).open();
        // An empty stream has no schema, and no rows to write.
        if (reader.schema) checkColumns(reader.schema, options, path);
        for await (const batch of reader) {
          for (let start = 0; start < batch.numRows; start += chunk) {
            const part = batch.slice(start, start + chunk);
            const lines = linesOfBatch(part, precision, options, rowsRead);
            rowsRead += part.numRows;
            await emit(lines);
          }
        }
      } finally {
        input.destroy();
      }
      break;
    }
    case 'parquet':
      await parquet(path, chunk, options, async (objects, kinds) => {
        const lines = linesOfRows(objects, precision, options, { kinds, firstRow: rowsRead, source: path });
        rowsRead += objects.length;
        await emit(lines);
      });
      break;
    default:
      throw new InterfaceError(`writeFile: unknown format '${String(format)}'; writeFile reads ${SUPPORTED}`);
  }
  return written;
}

/** A column of a Parquet schema, as hyparquet describes it. */
interface ParquetElement {
  name: string;
  num_children?: number;
  type?: string;
  converted_type?: string;
  logical_type?: { type?: string; isSigned?: boolean };
}

/** A Parquet file's footer, as hyparquet reads it. */
interface ParquetMetadata {
  num_rows: bigint | number;
  schema: ParquetElement[];
}

/** The part of hyparquet's API used here (it is ESM-only, so its types are not imported). */
interface Hyparquet {
  asyncBufferFromFile(path: string): Promise<unknown>;
  parquetMetadataAsync(file: unknown): Promise<ParquetMetadata>;
  parquetReadObjects(options: {
    file: unknown;
    metadata: unknown;
    rowStart: number;
    rowEnd: number;
    parsers: typeof EXACT_TIMESTAMPS;
  }): Promise<unknown[]>;
}

/**
 * hyparquet's parsers for timestamps: exact bigint nanoseconds (its defaults make Dates, which
 * cut MICROS and NANOS to milliseconds).
 */
const EXACT_TIMESTAMPS = {
  timestampFromMilliseconds: (millis: bigint | number) => BigInt(millis) * 1_000_000n,
  timestampFromMicroseconds: (micros: bigint | number) => BigInt(micros) * 1_000n,
  timestampFromNanoseconds: (nanos: bigint | number) => BigInt(nanos),
};

/** Parquet, a slice of rows at a time (hyparquet reads only the row groups it needs). */
async function parquet(
  path: string,
  chunk: number,
  mapping: RowMapping,
  each: (rows: Record<string, unknown>[], kinds: (name: string) => FieldKind) => Promise<void>,
): Promise<void> {
  // hyparquet is ESM-only: a real dynamic import, kept as one by the CommonJS build too.
  const hyparquet = (await import('hyparquet')) as Hyparquet;
  let file: unknown;
  let metadata: ParquetMetadata;
  try {
    file = await hyparquet.asyncBufferFromFile(path);
    metadata = await hyparquet.parquetMetadataAsync(file);
  } catch (err) {
    throw new InterfaceError(`writeFile: cannot read ${path}: ${messageOf(err)}`, { cause: err });
  }
  const kinds = new Map<string, FieldKind>();
  for (const element of metadata.schema.slice(1)) kinds.set(element.name, parquetKind(element));
  checkColumns(topLevelNames(metadata.schema), mapping, path);
  const kindOf = (name: string) => kinds.get(name) ?? 'string';
  const total = Number(metadata.num_rows);
  for (let start = 0; start < total; start += chunk) {
    const rows = (await hyparquet.parquetReadObjects({
      file,
      metadata,
      rowStart: start,
      rowEnd: Math.min(total, start + chunk),
      parsers: EXACT_TIMESTAMPS,
    })) as Record<string, unknown>[];
    await each(rows, kindOf);
  }
}

/** The names of a Parquet file's columns (its flattened schema also lists nested fields). */
function topLevelNames(schema: readonly ParquetElement[]): string[] {
  const names: string[] = [];
  // Each element is followed by its descendants: skip them, counting what each group still holds.
  let skip = 0;
  for (const element of schema.slice(1)) {
    if (skip > 0) skip += (element.num_children ?? 0) - 1;
    else {
      names.push(element.name);
      skip = element.num_children ?? 0;
    }
  }
  return names;
}

/** The field kind of a Parquet column, from its physical, converted and logical types. */
function parquetKind(element: ParquetElement): FieldKind {
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  if (
    logical === 'TIMESTAMP' ||
    converted === 'TIMESTAMP_MILLIS' ||
    converted === 'TIMESTAMP_MICROS' ||
    (element.type === 'INT96' && converted === undefined)
  ) {
    return 'timestamp';
  }
  // hyparquet reads decimals as numbers, of any physical type.
  if (converted === 'DECIMAL' || logical === 'DECIMAL') return 'float';
  if (element.type === 'INT32' || element.type === 'INT64') {
    if (converted === 'DATE' || logical === 'DATE') return 'string';
    const unsigned =
      (logical === 'INTEGER' && element.logical_type?.isSigned === false) || converted?.startsWith('UINT');
    return unsigned ? 'unsigned' : 'integer';
  }
  if (element.type === 'FLOAT' || element.type === 'DOUBLE') return 'float';
  if (element.type === 'BOOLEAN') return 'boolean';
  return 'string';
}
