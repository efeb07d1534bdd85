/**
 * Arrow <-> nodejs-polars through Arrow IPC in memory. Arrow to polars goes batch group by
 * batch group: a group of batches is written as one IPC stream, read by polars, and let go,
 * so the peak is the frame plus one group rather than the whole result three times over
 * (batches, IPC bytes, frame). The frames are joined without copying (`rechunk: false`).
 */
import { RecordBatch, RecordBatchStreamWriter, Schema, Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { InterfaceError, NotSupportedError, messageOf } from '../errors';
import { planFor, type PolarsPlan } from './compat';
import { isPolarsDataFrame, loadPolars, type Polars, type PolarsDataFrame } from './loadPolars';

// Bytes of Arrow buffers per IPC stream handed to polars: big enough that polars' per-read
// cost vanishes, small enough that the stream's copy is small beside the frame.
const GROUP_BYTES = 4 * 1024 * 1024;

/** Builds a polars DataFrame from record batches added one by one. */
export class PolarsBuilder {
  readonly #pl: Polars;
  #plan: PolarsPlan | undefined;
  #writer: RecordBatchStreamWriter | undefined;
  #pending = 0;
  readonly #frames: PolarsDataFrame[] = [];
  readonly #groupBytes: number;

  /**
   * A builder; `schema` is needed only when there may be no batch at all (the frame's
   * columns). `groupBytes`: Arrow bytes per IPC stream handed to polars (default 4 MiB).
   */
  constructor(schema?: Schema, options: { readonly groupBytes?: number } = {}) {
    this.#pl = loadPolars();
    this.#groupBytes = options.groupBytes ?? GROUP_BYTES;
    if (schema !== undefined) this.#plan = planFor(schema);
  }

  /** Adds a batch (its rows follow the rows added before). */
  add(batch: RecordBatch): void {
    this.#plan ??= planFor(batch.schema);
    const adapted = this.#plan.adaptBatch(batch);
    this.#writer ??= new RecordBatchStreamWriter();
    this.#writer.write(adapted);
    this.#pending += adapted.data.byteLength;
    if (this.#pending >= this.#groupBytes) this.#flush();
  }

  /**
   * The DataFrame of every batch added; if none was, a frame with no rows and the columns of the
   * builder's schema, else of `schema` (a stream's, known only once it has been read).
   */
  finish(schema?: Schema): PolarsDataFrame {
    this.#flush();
    if (this.#frames.length === 0) {
      this.#plan ??= schema === undefined ? undefined : planFor(schema);
      return this.#read(tableToIPC(new Table(this.#plan?.schema ?? new Schema([])), 'stream'));
    }
    if (this.#frames.length === 1) return this.#frames[0]!;
    return this.#pl.concat(this.#frames, { rechunk: false, how: 'vertical' });
  }

  #flush(): void {
    if (this.#writer === undefined) return;
    const bytes = this.#writer.finish().toUint8Array(true);
    this.#writer = undefined;
    this.#pending = 0;
    this.#frames.push(this.#read(bytes));
  }

  #read(bytes: Uint8Array): PolarsDataFrame {
    try {
      return this.#pl.readIPCStream(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (err) {
      throw new NotSupportedError(`nodejs-polars could not read the Arrow data: ${messageOf(err)}`, {
        cause: err,
      });
    }
  }
}

/**
 * A polars DataFrame of an Arrow Table or of record batches (every column, types kept; see
 * docs/dataframes.md for the few that change). Throws NotSupportedError for types polars
 * cannot hold, and InterfaceError when nodejs-polars is not installed.
 */
export function tableToPolars(source: Table | Iterable<RecordBatch>, schema?: Schema): PolarsDataFrame {
  const builder = new PolarsBuilder(schema ?? (source instanceof Table ? source.schema : undefined));
  for (const batch of source instanceof Table ? source.batches : source) builder.add(batch);
  return builder.finish();
}

/**
 * A polars DataFrame of a stream of record batches (a FlightStreamReader, any async
 * iterable), read as they arrive: only one group of batches is held besides the frame.
 */
export async function batchesToPolars(
  source: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  schema?: Schema,
): Promise<PolarsDataFrame> {
  const builder = new PolarsBuilder(schema);
  for await (const batch of source) builder.add(batch);
  return builder.finish();
}

/**
 * The Arrow Table of a polars DataFrame. polars writes strings, binaries and lists as their
 * Large variants and categoricals as Dictionary<Uint32, LargeUtf8>; apache-arrow reads them.
 */
export function polarsToTable(df: PolarsDataFrame): Table {
  if (!isPolarsDataFrame(df)) throw new InterfaceError('polarsToTable takes a nodejs-polars DataFrame');
  // The stream form: polars' file form uses Utf8View and BinaryView, which fewer readers know.
  const table = tableFromIPC(df.writeIPCStream());
  return withoutPolarsMetadata(table);
}

/** An Arrow Table as it is, or the Table of a polars DataFrame: what methods taking either use. */
export function toArrowTable(data: Table | PolarsDataFrame): Table {
  if (data instanceof Table) return data;
  if (isPolarsDataFrame(data)) return polarsToTable(data);
  throw new InterfaceError('expected an Arrow Table or a nodejs-polars DataFrame');
}

// polars marks categoricals with `_PL_*` field metadata that means nothing outside polars.
function withoutPolarsMetadata(table: Table): Table {
  const marked = (metadata: Map<string, string>) => [...metadata.keys()].some((k) => k.startsWith('_PL_'));
  if (!table.schema.fields.some((f) => marked(f.metadata))) return table;
  const fields = table.schema.fields.map((f) =>
    marked(f.metadata)
      ? f.clone({ metadata: new Map([...f.metadata].filter(([k]) => !k.startsWith('_PL_'))) })
      : f,
  );
  const schema = new Schema(fields, table.schema.metadata);
  return new Table(
    schema,
    table.batches.map((b) => new RecordBatch(schema, b.data)),
  );
}
