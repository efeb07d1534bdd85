/**
 * Arrow input from any copy of apache-arrow. Objects of our own copy pass through untouched; a
 * Table, RecordBatch, Schema, Vector or Data of another copy (apache-arrow's ES module build
 * beside the CommonJS one flightsql loads, a second install, another version) is recognised by
 * its shape and rebuilt with our classes around the very same buffers. `instanceof` cannot
 * decide: apache-arrow 21 answers true for another 21's Table (a `Symbol.for` brand) but false
 * for its DataTypes, and 14 answers false for everything. Anything that is not Arrow is an
 * InterfaceError that says what was expected.
 *
 * This file holds the public conversions; the pieces live beside it: arrowShapes.ts recognises
 * Arrow objects and words the errors, arrowTypes.ts rebuilds DataTypes and Fields, arrowData.ts
 * rebuilds Data around the foreign buffers.
 */
import {
  Data,
  DataType,
  Field,
  RecordBatch,
  RecordBatchReader,
  Schema,
  Struct,
  Table,
  Vector,
} from 'apache-arrow';
import { InterfaceError } from '../errors';
import { dataAs } from './arrowData';
import {
  arrowKind,
  isBatchShape,
  isDataShape,
  isFieldShape,
  isObject,
  isOwn,
  isSchemaShape,
  isTableShape,
  isVectorShape,
  layoutError,
  notArrow,
  type Shape,
} from './arrowShapes';
import { fieldOf, metadataOf, typeOf } from './arrowTypes';

export { arrowKind, describeValue, type ArrowKind } from './arrowShapes';

/** Batches ready for the encoder, with the schema to send first when the input has one. */
export interface OwnBatchSource {
  /** The input's schema (a Table's, a RecordBatch's); undefined for an iterable of batches. */
  readonly schema: Schema | undefined;
  /** Our RecordBatches; an iterable's items are converted one by one as they are pulled. */
  readonly batches: Iterable<RecordBatch> | AsyncIterable<RecordBatch>;
}

const SOURCE = 'an apache-arrow Table, RecordBatch, Arrow IPC bytes, or an (async) iterable of RecordBatches';

/** Our Schema per foreign schema, so that each converts once. */
const schemas = new WeakMap<object, Schema>();

/**
 * Our Table for `x`: `x` itself when our copy built it; a Table of another apache-arrow copy
 * rebuilt around its buffers; or the Table read from Arrow IPC bytes (stream or file format, e.g.
 * `tableToIPC(table)` of any Arrow library). Otherwise an InterfaceError.
 */
export function ownTable(x: unknown): Table {
  if (isOwn(Table, x)) return x as Table;
  if (x instanceof Uint8Array) return tableFromBytes(x);
  if (!isTableShape(x)) throw notArrow('an apache-arrow Table or Arrow IPC bytes', x);
  const schema = ownSchema(x.schema);
  const batches = (x.batches as unknown[]).map((b, i) => batchAt(b, `batch ${i} of the Table`));
  return new Table(schema, batches);
}

/** Our RecordBatch for `x` (ours, or another apache-arrow copy's rebuilt around its buffers). */
export function ownRecordBatch(x: unknown): RecordBatch {
  return batchAt(x, '');
}

/** Our Schema for `x`, with every field's type, nullability and metadata and the schema's metadata. */
export function ownSchema(x: unknown): Schema {
  if (isOwn(Schema, x)) return x as Schema;
  if (!isSchemaShape(x)) throw notArrow('an apache-arrow Schema', x);
  let schema = schemas.get(x);
  if (!schema) {
    const fields = (x.fields as Shape[]).map((f) => fieldOf(f, ''));
    const version = typeof x.metadataVersion === 'number' ? x.metadataVersion : undefined;
    schema = new Schema(fields, metadataOf(x.metadata), null, version);
    schemas.set(x, schema);
  }
  return schema;
}

/** Our Field for `x`. */
export function ownField(x: unknown): Field {
  if (isOwn(Field, x)) return x as Field;
  if (!isFieldShape(x)) throw notArrow('an apache-arrow Field', x);
  return fieldOf(x, '');
}

/** Our DataType for `x`, with all its parameters and children. */
export function ownType(x: unknown): DataType {
  return typeOf(x, '');
}

/** Our Vector for `x`, every chunk rebuilt around the same buffers. */
export function ownVector(x: unknown): Vector {
  if (isOwn(Vector, x)) return x as Vector;
  if (!isVectorShape(x)) throw notArrow('an apache-arrow Vector', x);
  const type = typeOf(x.type, '');
  const chunks = x.data as unknown[];
  if (chunks.length === 0) throw layoutError('', 'the Vector has no Data');
  return new Vector(chunks.map((d) => dataAs(d, type, '')));
}

/** Our Data for `x`, around the same buffers. */
export function ownData(x: unknown): Data {
  if (isOwn(Data, x)) return x as Data;
  if (!isDataShape(x)) throw notArrow('an apache-arrow Data', x);
  return dataAs(x, typeOf(x.type, ''), '');
}

/**
 * The input of DoPut/DoExchange/ingest as our batches: a Table, a RecordBatch, Arrow IPC bytes,
 * or an (async) iterable of RecordBatches, from any apache-arrow copy. An iterable is checked
 * item by item as it is pulled (one prototype check per batch of ours), and `break` or an error
 * downstream closes it.
 */
export function ownBatchSource(source: unknown): OwnBatchSource {
  if (isOwn(Table, source)) return { schema: (source as Table).schema, batches: (source as Table).batches };
  if (isOwn(RecordBatch, source))
    return { schema: (source as RecordBatch).schema, batches: [source as RecordBatch] };
  switch (arrowKind(source)) {
    case 'table':
    case 'ipc': {
      const table = ownTable(source);
      return { schema: table.schema, batches: table.batches };
    }
    case 'batch': {
      const batch = ownRecordBatch(source);
      return { schema: batch.schema, batches: [batch] };
    }
    case undefined:
      break;
    default:
      throw notArrow(SOURCE, source);
  }
  if (isObject(source) && typeof source[Symbol.asyncIterator] === 'function') {
    return { schema: undefined, batches: batchesOfAsync(source as unknown as AsyncIterable<unknown>) };
  }
  if (isObject(source) && typeof source[Symbol.iterator] === 'function') {
    return { schema: undefined, batches: batchesOf(source as unknown as Iterable<unknown>) };
  }
  throw notArrow(SOURCE, source);
}

function* batchesOf(items: Iterable<unknown>): Generator<RecordBatch> {
  let i = 0;
  for (const item of items) yield batchAt(item, `item ${i++} of the batches`);
}

async function* batchesOfAsync(items: AsyncIterable<unknown>): AsyncGenerator<RecordBatch> {
  let i = 0;
  for await (const item of items) yield batchAt(item, `item ${i++} of the batches`);
}

function batchAt(x: unknown, where: string): RecordBatch {
  if (isOwn(RecordBatch, x)) return x as RecordBatch;
  if (!isBatchShape(x)) throw notArrow('an apache-arrow RecordBatch', x, where);
  const schema = ownSchema(x.schema);
  const data = dataAs(x.data, new Struct(schema.fields), '') as Data<Struct>;
  return new RecordBatch(schema, data, x.metadata instanceof Map ? new Map(x.metadata) : undefined);
}

function tableFromBytes(bytes: Uint8Array): Table {
  try {
    const reader = RecordBatchReader.from(bytes);
    reader.open();
    const schema = reader.schema as Schema | undefined;
    if (!schema) {
      throw new InterfaceError(
        `expected Arrow IPC bytes (a stream or file), got ${bytes.byteLength} bytes without an Arrow schema`,
      );
    }
    // apache-arrow yields a placeholder subclass for a stream with no batches: we keep none.
    const batches = [...reader].filter((b) => Object.getPrototypeOf(b) === RecordBatch.prototype);
    return new Table(schema, batches);
  } catch (err) {
    if (err instanceof InterfaceError) throw err;
    throw new InterfaceError(`expected Arrow IPC bytes, but they do not read as Arrow: ${messageOf(err)}`, {
      cause: err,
    });
  }
}

function messageOf(err: unknown): string {
  return err instanceof globalThis.Error ? err.message : String(err);
}
