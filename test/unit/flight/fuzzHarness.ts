/**
 * The decoder fuzz: cases (fuzzMutations.ts applied to fuzzCorpus.ts streams), every reader
 * path over the result, and the oracle. Shared by fuzzDecode.test.ts (a fixed seed in `npm test`), the gRPC fuzz and
 * `npm run fuzz` (as long as asked).
 *
 * The oracle. Every case must end, within a time bound and without the process dying, in
 * either rows or a ProtocolError / InternalError; never another error (a TypeError, a
 * RangeError, "Cannot destructure..."). Arrow IPC has no checksums, so a flipped bit in a value
 * or a type code can give other values that are just as valid; for those mutations the rows
 * must still be well-formed for the schema the stream declares (no `undefined`, the JS type
 * each column promises, no more cells than the bytes can back). Mutations that cannot yield
 * other valid data (truncation; a changed length, offset or null count; an offset, type id or
 * dictionary index out of range; a flipped validity bit; a schema missing, repeated or late)
 * must give exactly the original rows or an error, and the rows before the error must be a
 * prefix of the original.
 */
import { Schema, Table, Type, type DataType, type Field, type RecordBatch } from 'apache-arrow';
import fc from 'fast-check';
import { InternalError, ProtocolError } from '../../../src/errors';
import { FlightDataDecoder } from '../../../src/flight/decode';
import { decodeFlightData } from '../../../src/flight/flightData';
import { RowConverter, type Row } from '../../../src/values';
import { apply, type Mutation } from './fuzzMutations';
import type { CorpusStream } from './fuzzCorpus';

/** A case: which corpus stream, and one to three mutations of it. */
export type { Mutation };

export interface FuzzCase {
  readonly stream: number;
  readonly mutations: Mutation[];
}

const nat = fc.nat({ max: 1 << 20 });

/** Cases over `streams` corpus streams, weighted towards the mutations that must be exact. */
export function fuzzCases(streams: number): fc.Arbitrary<FuzzCase> {
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constantFrom('flipHeader', 'flipBody', 'flipWire'),
        message: nat,
        bit: nat,
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constantFrom('truncateHeader', 'truncateBody', 'truncateWire'),
        message: nat,
        at: nat,
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({ kind: fc.constant('setField'), message: nat, field: nat, value: nat }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constantFrom('badValue', 'flipValidity'),
        message: nat,
        buffer: nat,
        element: nat,
        choice: nat,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constantFrom(
          'dropSchema',
          'bodyWithoutHeader',
          'duplicateSchema',
          'dictionaryFirst',
          'drop',
        ),
        message: nat,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constantFrom('swap', 'duplicate'), message: nat, other: nat }),
    },
  );
  return fc.record({
    stream: fc.nat({ max: streams - 1 }),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
  });
}

export interface Outcome {
  readonly rows: readonly string[];
  readonly error?: unknown;
  readonly cells: number;
  readonly ms: number;
}

/** Bounds every case must respect. */
export const CASE_MS = 5_000;
export const MAX_CELLS_PER_BYTE = 8;
export const MAX_UNBACKED_CELLS_PER_MESSAGE = (1 << 22) * 2;

/** The original rows of a valid stream (canonical strings), decoded once. */
export function expected(stream: CorpusStream): string[] {
  const outcome = consume(stream.messages);
  if (outcome.error)
    throw new Error(`corpus stream ${stream.name} does not decode: ${String(outcome.error)}`);
  return [...outcome.rows];
}

/**
 * Decodes a stream message by message and converts each batch as soon as it is decoded,
 * through every path the readers use: rows of a batch (iteration, rows()), of a Table of all
 * batches (readAll()), in slices of 4 (a cursor's fetchmany(4)) and as objects, plus
 * apache-arrow's own getters on the Table readAll() hands out.
 */
export function consume(messages: readonly Uint8Array[]): Outcome {
  const started = performance.now();
  const rows: string[] = [];
  const batches: RecordBatch[] = [];
  let cells = 0;
  let error: unknown;
  const decoder = new FlightDataDecoder();
  let converter: RowConverter | undefined;
  let objects: RowConverter | undefined;
  try {
    for (const bytes of messages) {
      const payload = decoder.decode(decodeFlightData(bytes));
      if (payload.kind !== 'batch') continue;
      const batch = payload.batch;
      converter ??= new RowConverter(decoder.schema!);
      objects ??= new RowConverter(decoder.schema!, { rowMode: 'object' });
      const converted = converter.rows(batch);
      // A cursor reads the same batch in slices.
      const sliced: Row[] = [];
      for (let start = 0; start < batch.numRows; start += 4) {
        sliced.push(...converter.rows(batch, start, Math.min(start + 4, batch.numRows)));
      }
      const asObjects = objects.rows(batch);
      const schema = decoder.schema!;
      for (let r = 0; r < converted.length; r++) {
        const row = converted[r] as unknown[];
        const text = canon(row);
        if (canon(sliced[r]) !== text) throw new Error(`fetchmany slices disagree at row ${r}`);
        const object = asObjects[r] as Record<string, unknown>;
        if (canon(objects.names.map((name) => object[name])) !== text) {
          throw new Error(`object rows disagree at row ${r}`);
        }
        checkShape(schema, row);
        rows.push(text);
        cells += row.length + 1;
      }
      batches.push(batch);
    }
    // readAll(): one Table; its rows and apache-arrow's own getters.
    const schema = decoder.schema ?? new Schema([]);
    const table = batches.length ? new Table(batches) : new Table(schema);
    const all = table.batches.flatMap((b) => new RowConverter(table.schema).rows(b)).map(canon);
    if (all.join('\n') !== rows.join('\n')) throw new Error('readAll() rows differ from the batches');
    for (const b of table.batches) {
      for (let c = 0; c < b.numCols; c++) {
        const vector = b.getChildAt(c)!;
        for (let i = 0; i < b.numRows; i++) arrowGet(vector, i);
      }
    }
  } catch (err) {
    error = err;
  }
  return { rows, error, cells, ms: performance.now() - started };
}

/**
 * apache-arrow's own getter. It throws a TypeError for Date and Timestamp values beyond 2^53
 * milliseconds, which are valid Arrow (our RowConverter reads them): that one is its limit, not
 * damage the decoder let through.
 */
function arrowGet(vector: { get(i: number): unknown }, i: number): void {
  try {
    vector.get(i);
  } catch (err) {
    if (!(err instanceof TypeError && /is not safe to convert to a number/.test(err.message))) throw err;
  }
}

/** Checks one case; returns a failure description, or undefined when the oracle holds. */
export function check(
  stream: CorpusStream,
  original: readonly string[],
  mutations: readonly Mutation[],
): string | undefined {
  const { messages, exact } = apply(stream.messages, mutations);
  return judge(`${stream.name} ${JSON.stringify(mutations)}`, messages, exact, original, consume(messages));
}

/** The oracle, for an outcome however it was read (in process or through gRPC). */
export function judge(
  name: string,
  messages: readonly Uint8Array[],
  exact: boolean,
  original: readonly string[],
  outcome: Outcome,
): string | undefined {
  const bytes = messages.reduce((n, m) => n + m.byteLength, 0);
  const describe = () => name;
  if (
    outcome.error !== undefined &&
    !(outcome.error instanceof ProtocolError || outcome.error instanceof InternalError)
  ) {
    return `${describe()}: ${String((outcome.error as Error)?.stack ?? outcome.error)}`;
  }
  if (outcome.ms > CASE_MS) return `${describe()}: took ${Math.round(outcome.ms)} ms`;
  if (outcome.cells > MAX_CELLS_PER_BYTE * bytes + MAX_UNBACKED_CELLS_PER_MESSAGE * messages.length) {
    return `${describe()}: ${outcome.cells} cells from ${bytes} bytes`;
  }
  if (!exact) return undefined;
  const prefix = outcome.rows.every((row, i) => row === original[i]);
  if (!prefix)
    return `${describe()}: rows differ from the original without an error:\n${outcome.rows.join('\n')}\n--- original ---\n${original.join('\n')}`;
  if (outcome.error === undefined && outcome.rows.length !== original.length) {
    return `${describe()}: ${outcome.rows.length} rows instead of ${original.length}, without an error`;
  }
  return undefined;
}

/** A canonical text of a converted value (bigint, -0, NaN, Dates and bytes distinguished). */
export function canon(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'bigint':
      return `${value}n`;
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return String(value);
    default:
  }
  if (value instanceof Date) return `Date(${value.getTime()})`;
  if (value instanceof Uint8Array) return `bytes(${value.join(',')})`;
  if (Array.isArray(value)) return `[${value.map(canon).join(',')}]`;
  return `{${Object.entries(value as object)
    .map(([k, v]) => `${JSON.stringify(k)}:${canon(v)}`)
    .join(',')}}`;
}

/** Each cell has the JS shape its column's type promises (values.ts), or is null; throws if not. */
export function checkShape(schema: Schema, row: unknown[]): void {
  if (row.length !== schema.fields.length)
    throw new Error(`a row of ${row.length} cells for ${schema.fields.length} columns`);
  schema.fields.forEach((f, i) => {
    if (!shapeOk(f.type, row[i]))
      throw new Error(`column ${f.name} (${String(f.type)}) holds ${canon(row[i])}`);
  });
}

function shapeOk(type: DataType, v: unknown): boolean {
  if (v === null) return true;
  if (v === undefined) return false;
  const t = type as unknown as Record<string, unknown>;
  switch (type.typeId) {
    case Type.Null:
      return false;
    case Type.Bool:
      return typeof v === 'boolean';
    case Type.Int:
      return t.bitWidth === 64 ? typeof v === 'bigint' : Number.isInteger(v);
    case Type.Float:
      return typeof v === 'number';
    case Type.Decimal:
      return typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v);
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Utf8View:
    case Type.Time:
      return typeof v === 'string';
    case Type.Binary:
    case Type.LargeBinary:
    case Type.BinaryView:
    case Type.FixedSizeBinary:
      return v instanceof Uint8Array;
    case Type.Date:
    case Type.Timestamp:
      return v instanceof Date;
    case Type.Duration:
      return typeof v === 'bigint';
    case Type.Interval:
    case Type.Map:
      return typeof v === 'object';
    case Type.List:
    case Type.LargeList:
      return Array.isArray(v) && v.every((x) => shapeOk(type.children[0]!.type, x));
    case Type.FixedSizeList:
      return (
        Array.isArray(v) && v.length === t.listSize && v.every((x) => shapeOk(type.children[0]!.type, x))
      );
    case Type.Struct:
      return (
        typeof v === 'object' &&
        type.children.every((c: Field) => shapeOk(c.type, (v as Record<string, unknown>)[c.name]))
      );
    case Type.Union:
      return type.children.some((c: Field) => shapeOk(c.type, v));
    case Type.Dictionary:
      return shapeOk(t.dictionary as DataType, v);
    default:
      return true;
  }
}
