/**
 * Files to line protocol, streamed: CSV (csv-parse), JSON arrays (stream-json), NDJSON
 * (readline), Arrow IPC / Feather (apache-arrow's reader) and Parquet (hyparquet, a row group
 * at a time). Rows are converted and handed to `sink` a chunk at a time; the sink's promise
 * paces the reading, so memory stays bounded whatever the file's size.
 */
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { RecordBatchReader } from 'apache-arrow';
import { InterfaceError } from '../errors';
import { linesOfBatch, linesOfRows, type RowMapping } from './records';
import type { WirePrecision } from './timestamps';

/** File formats `writeFile` reads. */
export type FileFormat = 'csv' | 'json' | 'ndjson' | 'arrow' | 'parquet';

/** Options of `writeFile`. */
export interface WriteFileOptions extends RowMapping {
  /** The format; by default from the extension (.csv, .json, .ndjson/.jsonl, .arrow/.arrows/.feather/.ipc, .parquet). */
  readonly format?: FileFormat;
  /** Rows converted and written at a time (default 5000). */
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

type Sink = (lines: readonly string[]) => Promise<void>;

/** Reads `path` and writes its rows through `sink`; the number of lines written. */
export async function writeFileLines(
  path: string,
  precision: WirePrecision,
  options: WriteFileOptions,
  sink: Sink,
): Promise<number> {
  const format = options.format ?? EXTENSIONS[extname(path).toLowerCase()];
  if (!format) throw new InterfaceError(`writeFile: cannot tell the format of '${path}'; pass format`);
  const chunk = options.chunkRows ?? 5000;
  let written = 0;
  const emit = async (lines: string[]) => {
    written += lines.length;
    await sink(lines);
  };
  const rows = async (source: AsyncIterable<Record<string, unknown>>, parseText: boolean) => {
    let buffer: Record<string, unknown>[] = [];
    for await (const row of source) {
      buffer.push(row);
      if (buffer.length >= chunk) {
        await emit(linesOfRows(buffer, precision, options, undefined, parseText));
        buffer = [];
      }
    }
    if (buffer.length) await emit(linesOfRows(buffer, precision, options, undefined, parseText));
  };
  switch (format) {
    case 'csv': {
      const { parse } = await import('csv-parse');
      const parser = createReadStream(path).pipe(
        parse({ columns: true, delimiter: options.delimiter ?? ',', skip_empty_lines: true, bom: true }),
      );
      await rows(parser as AsyncIterable<Record<string, unknown>>, true);
      break;
    }
    case 'ndjson':
      await rows(ndjson(path), false);
      break;
    case 'json':
      await rows(jsonArray(path), false);
      break;
    case 'arrow': {
      const reader = await RecordBatchReader.from(createReadStream(path));
      for await (const batch of reader) {
        for (let start = 0; start < batch.numRows; start += chunk) {
          await emit(linesOfBatch(batch.slice(start, start + chunk), precision, options));
        }
      }
      break;
    }
    case 'parquet':
      await parquet(path, chunk, async (objects, kinds) => {
        await emit(linesOfRows(objects, precision, options, kinds));
      });
      break;
    default:
      throw new InterfaceError(`writeFile: unknown format '${String(format)}'`);
  }
  return written;
}

async function* ndjson(path: string): AsyncGenerator<Record<string, unknown>> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number++;
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new InterfaceError(`writeFile: line ${number} of ${path} is not JSON`, { cause: err });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new InterfaceError(`writeFile: line ${number} of ${path} is not a JSON object`);
    }
    yield value as Record<string, unknown>;
  }
}

async function* jsonArray(path: string): AsyncGenerator<Record<string, unknown>> {
  const { parser } = await import('stream-json');
  const { streamArray } = await import('stream-json/streamers/StreamArray');
  const stream = createReadStream(path).pipe(parser()).pipe(streamArray());
  for await (const item of stream as AsyncIterable<{ key: number; value: unknown }>) {
    if (item.value === null || typeof item.value !== 'object' || Array.isArray(item.value)) {
      throw new InterfaceError(`writeFile: element ${item.key} of ${path} is not a JSON object`);
    }
    yield item.value as Record<string, unknown>;
  }
}

type Kind = 'float' | 'integer' | 'unsigned' | 'string' | 'boolean' | 'skip';

/** The part of hyparquet's API used here (it is ESM-only, so its types are not imported). */
interface Hyparquet {
  asyncBufferFromFile(path: string): Promise<unknown>;
  parquetMetadataAsync(file: unknown): Promise<{
    num_rows: bigint | number;
    schema: {
      name: string;
      type?: string;
      converted_type?: string;
      logical_type?: { type?: string; isSigned?: boolean };
    }[];
  }>;
  parquetReadObjects(options: {
    file: unknown;
    metadata: unknown;
    rowStart: number;
    rowEnd: number;
  }): Promise<unknown[]>;
}

/** Parquet, a slice of rows at a time (hyparquet reads only the row groups it needs). */
async function parquet(
  path: string,
  chunk: number,
  each: (rows: Record<string, unknown>[], kinds: (name: string) => Kind) => Promise<void>,
): Promise<void> {
  // hyparquet is ESM-only: a real dynamic import, kept as one by the CommonJS build too.
  const hyparquet = (await import('hyparquet')) as Hyparquet;
  const file = await hyparquet.asyncBufferFromFile(path);
  const metadata = await hyparquet.parquetMetadataAsync(file);
  const kinds = new Map<string, Kind>();
  for (const element of metadata.schema.slice(1)) {
    const logical = (element as { logical_type?: { type?: string } }).logical_type?.type;
    const converted = (element as { converted_type?: string }).converted_type;
    const unsigned =
      logical === 'INTEGER' &&
      (element as { logical_type?: { isSigned?: boolean } }).logical_type?.isSigned === false;
    let kind: Kind;
    if (logical === 'TIMESTAMP' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS')
      kind = 'string';
    else if (element.type === 'INT32' || element.type === 'INT64')
      kind = unsigned || converted?.startsWith('UINT') ? 'unsigned' : 'integer';
    else if (element.type === 'FLOAT' || element.type === 'DOUBLE') kind = 'float';
    else if (element.type === 'BOOLEAN') kind = 'boolean';
    else kind = 'string';
    kinds.set(element.name, kind);
  }
  const total = Number(metadata.num_rows);
  for (let start = 0; start < total; start += chunk) {
    const rows = (await hyparquet.parquetReadObjects({
      file,
      metadata,
      rowStart: start,
      rowEnd: Math.min(total, start + chunk),
    })) as Record<string, unknown>[];
    await each(rows, (name) => kinds.get(name) ?? 'string');
  }
}
