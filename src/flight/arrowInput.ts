/**
 * Arrow input from any copy of apache-arrow. Objects of our own copy pass through untouched; a
 * Table, RecordBatch, Schema, Vector or Data of another copy (apache-arrow's ES module build
 * beside the CommonJS one flightsql loads, a second install, another version) is recognised by
 * its shape and rebuilt with our classes around the very same buffers. `instanceof` cannot
 * decide: apache-arrow 21 answers true for another 21's Table (a `Symbol.for` brand) but false
 * for its DataTypes, and 14 answers false for everything. Anything that is not Arrow is an
 * InterfaceError that says what was expected.
 */
import {
  Binary,
  BinaryView,
  Bool,
  Data,
  DataType,
  Date_,
  Decimal,
  Dictionary,
  Duration,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Float,
  Int,
  Interval,
  LargeBinary,
  LargeList,
  LargeUtf8,
  List,
  Map_,
  Null,
  RecordBatch,
  RecordBatchReader,
  Schema,
  Struct,
  Table,
  Time,
  Timestamp,
  Type,
  Union,
  Utf8,
  Utf8View,
  Vector,
} from 'apache-arrow';
import type { Int32 } from 'apache-arrow';
import { InterfaceError } from '../errors';

/** Our apache-arrow, for messages (package.json pins ~21.2.0). */
const OWN_ARROW = 'apache-arrow 21';
/** The versions whose objects have the shape read here: 9.0 introduced Data, RecordBatch.data, Table.batches. */
const READABLE_ARROW = 'apache-arrow 9 to 21';

/** What an Arrow object is, by our class or by its shape; `ipc` is any Uint8Array (IPC bytes, perhaps). */
export type ArrowKind = 'table' | 'batch' | 'schema' | 'field' | 'vector' | 'data' | 'type' | 'ipc';

/** Batches ready for the encoder, with the schema to send first when the input has one. */
export interface OwnBatchSource {
  /** The input's schema (a Table's, a RecordBatch's); undefined for an iterable of batches. */
  readonly schema: Schema | undefined;
  /** Our RecordBatches; an iterable's items are converted one by one as they are pulled. */
  readonly batches: Iterable<RecordBatch> | AsyncIterable<RecordBatch>;
}

type Shape = { readonly [key: string | symbol]: unknown };
type ArrayCtor = {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): ArrayBufferView;
  new (buffer: ArrayBufferLike): ArrayBufferView;
  readonly BYTES_PER_ELEMENT: number;
};

const KIND_NAMES: Record<ArrowKind, string> = {
  table: 'Table',
  batch: 'RecordBatch',
  schema: 'Schema',
  field: 'Field',
  vector: 'Vector',
  data: 'Data',
  type: 'DataType',
  ipc: 'IPC bytes',
};
const SOURCE = 'an apache-arrow Table, RecordBatch, Arrow IPC bytes, or an (async) iterable of RecordBatches';

/** Conversions kept per foreign object: one schema per schema, and stable dictionary chunks so that
 * the encoder sees a dictionary it already sent (or its delta) rather than a new one each batch. */
const schemas = new WeakMap<object, Schema>();
const dictionaryChunks = new WeakMap<object, Data>();

/** True only for objects built by our copy's class (the prototype chain, not the `Symbol.for` brand). */
function isOwn(cls: abstract new (...args: never[]) => unknown, x: unknown): boolean {
  return Function.prototype[Symbol.hasInstance].call(cls, x);
}

const isObject = (x: unknown): x is Shape => typeof x === 'object' && x !== null;
const isTypeShape = (x: unknown): x is Shape =>
  isObject(x) && typeof x.typeId === 'number' && !('type' in x) && !('fields' in x);
const isFieldShape = (x: unknown): x is Shape =>
  isObject(x) && typeof x.name === 'string' && isTypeShape(x.type) && typeof x.nullable === 'boolean';
const isSchemaShape = (x: unknown): x is Shape =>
  isObject(x) && Array.isArray(x.fields) && x.fields.every(isFieldShape) && !('schema' in x);
const isDataShape = (x: unknown): x is Shape =>
  isObject(x) &&
  isTypeShape(x.type) &&
  typeof x.length === 'number' &&
  typeof x.offset === 'number' &&
  !Array.isArray(x.data);
const isVectorShape = (x: unknown): x is Shape =>
  isObject(x) && isTypeShape(x.type) && Array.isArray(x.data) && x.data.every(isDataShape);
const isBatchShape = (x: unknown): x is Shape =>
  isObject(x) && isSchemaShape(x.schema) && isDataShape(x.data);
const isTableShape = (x: unknown): x is Shape =>
  isObject(x) && isSchemaShape(x.schema) && Array.isArray(x.batches);

/** Classifies `x` (cheaply: our classes first, then shapes); undefined when it is not Arrow. */
export function arrowKind(x: unknown): ArrowKind | undefined {
  if (!isObject(x)) return undefined;
  if (isOwn(Table, x)) return 'table';
  if (isOwn(RecordBatch, x)) return 'batch';
  if (isOwn(Schema, x)) return 'schema';
  if (isOwn(Field, x)) return 'field';
  if (isOwn(Vector, x)) return 'vector';
  if (isOwn(Data, x)) return 'data';
  if (isOwn(DataType, x)) return 'type';
  if (x instanceof Uint8Array) return 'ipc';
  if (isTableShape(x)) return 'table';
  if (isBatchShape(x)) return 'batch';
  if (isSchemaShape(x)) return 'schema';
  if (isFieldShape(x)) return 'field';
  if (isVectorShape(x)) return 'vector';
  if (isDataShape(x)) return 'data';
  if (isTypeShape(x)) return 'type';
  return undefined;
}

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

function fieldOf(f: Shape, parent: string): Field {
  const path = parent ? `${parent}.${String(f.name)}` : String(f.name);
  return new Field(String(f.name), typeOf(f.type, path), Boolean(f.nullable), metadataOf(f.metadata));
}

function metadataOf(m: unknown): Map<string, string> {
  if (m instanceof Map) return new Map(m);
  if (isObject(m)) return new Map(Object.entries(m).map(([k, v]) => [k, String(v)]));
  return new Map();
}

/** Builds our DataType by type id, parameter by parameter (the IPC reader's constructors). */
function typeOf(t: unknown, path: string): DataType {
  if (isOwn(DataType, t)) return t as DataType;
  if (!isTypeShape(t)) throw notArrow('an apache-arrow DataType', t, path && `column "${path}"`);
  const children = () => childFields(t, path);
  const child = () => {
    const [first] = childFields(t, path);
    if (!first) throw layoutError(path, `its ${describeType(t)} type has no child field`);
    return first;
  };
  switch (t.typeId) {
    case Type.Null:
      return new Null();
    case Type.Int:
      return new Int(flag(t, 'isSigned', path), pick(t, 'bitWidth', [8, 16, 32, 64] as const, path));
    case Type.Float:
      return new Float(pick(t, 'precision', [0, 1, 2] as const, path));
    case Type.Binary:
      return new Binary();
    case Type.LargeBinary:
      return new LargeBinary();
    case Type.BinaryView:
      return new BinaryView();
    case Type.Utf8:
      return new Utf8();
    case Type.LargeUtf8:
      return new LargeUtf8();
    case Type.Utf8View:
      return new Utf8View();
    case Type.Bool:
      return new Bool();
    case Type.Decimal:
      return new Decimal(
        integer(t, 'scale', path),
        integer(t, 'precision', path),
        t.bitWidth === undefined ? 128 : pick(t, 'bitWidth', [32, 64, 128, 256] as const, path),
      );
    case Type.Date:
      return new Date_(pick(t, 'unit', [0, 1] as const, path));
    case Type.Time:
      return new Time(
        pick(t, 'unit', [0, 1, 2, 3] as const, path),
        pick(t, 'bitWidth', [32, 64] as const, path),
      );
    case Type.Timestamp: {
      const tz = t.timezone;
      if (tz !== undefined && tz !== null && typeof tz !== 'string') {
        throw layoutError(path, `its Timestamp time zone is ${describeValue(tz)}`);
      }
      return new Timestamp(pick(t, 'unit', [0, 1, 2, 3] as const, path), tz ?? null);
    }
    case Type.Interval:
      return new Interval(pick(t, 'unit', [0, 1, 2] as const, path));
    case Type.Duration:
      return new Duration(pick(t, 'unit', [0, 1, 2, 3] as const, path));
    case Type.List:
      return new List(child());
    case Type.LargeList:
      return new LargeList(child());
    case Type.Struct:
      return new Struct(children());
    case Type.Union: {
      const fields = children();
      const ids = t.typeIds;
      if (!isArrayLike(ids) || ids.length !== fields.length) {
        throw layoutError(path, `its Union has type ids ${describeValue(ids)} for ${fields.length} children`);
      }
      return new Union(pick(t, 'mode', [0, 1] as const, path), Array.from(ids, Number), fields);
    }
    case Type.FixedSizeBinary:
      return new FixedSizeBinary(integer(t, 'byteWidth', path));
    case Type.FixedSizeList:
      return new FixedSizeList(integer(t, 'listSize', path), child());
    case Type.Map:
      return new Map_(child(), Boolean(t.keysSorted));
    case Type.Dictionary: {
      const indices = typeOf(t.indices, path);
      if (indices.typeId !== Type.Int)
        throw layoutError(path, `its dictionary indices are ${String(indices)}`);
      const id = t.id;
      if (typeof id !== 'number' && typeof id !== 'bigint')
        throw layoutError(path, 'its dictionary has no id');
      return new Dictionary(typeOf(t.dictionary, path), indices as Int32, id, Boolean(t.isOrdered));
    }
    default:
      throw new InterfaceError(
        `${subject(path)} has the Arrow type ${describeType(t)} (type id ${String(t.typeId)}), which ` +
          `${OWN_ARROW} (the apache-arrow flightsql uses) does not have: cast it to a type it has`,
      );
  }
}

function childFields(t: Shape, path: string): Field[] {
  const children = t.children;
  if (!Array.isArray(children)) throw layoutError(path, `its ${describeType(t)} type has no children array`);
  return children.map((f: unknown) => {
    if (!isFieldShape(f)) throw layoutError(path, `a child of its type is ${describeValue(f)}, not a Field`);
    return fieldOf(f, path);
  });
}

function pick<const T extends readonly number[]>(t: Shape, key: string, allowed: T, path: string): T[number] {
  const value = t[key];
  if (!allowed.includes(value as number)) {
    throw layoutError(path, `its ${describeType(t)} type has ${key} ${describeValue(value)}`);
  }
  return value as T[number];
}

function integer(t: Shape, key: string, path: string): number {
  const value = t[key];
  if (!Number.isInteger(value))
    throw layoutError(path, `its ${describeType(t)} type has ${key} ${describeValue(value)}`);
  return value as number;
}

function flag(t: Shape, key: string, path: string): boolean {
  const value = t[key];
  if (typeof value !== 'boolean')
    throw layoutError(path, `its ${describeType(t)} type has ${key} ${describeValue(value)}`);
  return value;
}

/**
 * Our Data of `type` around `d`'s buffers. A buffer is re-viewed as the typed array our type
 * reads (apache-arrow 14 keeps 64-bit timestamps and dates in Int32Arrays): a view on the same
 * bytes, copied only when its offset is misaligned for our element size.
 */
function dataAs(d: unknown, type: DataType, path: string): Data {
  if (isOwn(Data, d)) return d as Data;
  // `new RecordBatch({ a: vector })` (and so apache-arrow's own Table of empty Vectors) keeps the
  // Vector where its Data belongs: a one-chunk Vector means its chunk.
  if (isVectorShape(d) && (d.data as unknown[]).length === 1)
    return dataAs((d.data as unknown[])[0], type, path);
  if (!isDataShape(d)) throw layoutError(path, `its data is ${describeValue(d)}, not Arrow Data`);
  const theirs = (d.type as Shape).typeId;
  if (theirs !== type.typeId) {
    throw layoutError(path, `its data has type id ${String(theirs)} where its field has ${String(type)}`);
  }
  const length = d.length as number;
  const offsets = buffer(d.valueOffsets, type.OffsetArrayType as ArrayCtor, path);
  const values = valuesOf(d, type, path);
  if (length > 0 && needsOffsets(type) && !offsets) throw layoutError(path, 'its data has no value offsets');
  const dictionary =
    type.typeId === Type.Dictionary
      ? dictionaryOf(d.dictionary, (type as Dictionary).dictionary, path)
      : undefined;
  const variadic = Array.isArray(d.variadicBuffers)
    ? d.variadicBuffers.map((b: unknown) => buffer(b, Uint8Array, path) ?? new Uint8Array(0))
    : [];
  return new Data(
    type,
    d.offset as number,
    length,
    typeof d.nullCount === 'number' ? d.nullCount : -1,
    [offsets, values, buffer(d.nullBitmap, Uint8Array, path), buffer(d.typeIds, Int8Array, path)],
    childData(d, type, path),
    dictionary,
    variadic as Uint8Array[],
  );
}

function needsOffsets(type: DataType): boolean {
  switch (type.typeId) {
    case Type.Binary:
    case Type.LargeBinary:
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.List:
    case Type.LargeList:
    case Type.Map:
      return true;
    case Type.Union:
      return (type as Union).mode === 1;
    default:
      return false;
  }
}

function valuesOf(d: Shape, type: DataType, path: string): ArrayBufferView | undefined {
  switch (type.typeId) {
    case Type.Null:
    case Type.List:
    case Type.LargeList:
    case Type.Struct:
    case Type.Union:
    case Type.FixedSizeList:
    case Type.Map:
      return undefined;
  }
  const ctor = (
    type.typeId === Type.Dictionary ? (type as Dictionary).indices.ArrayType : type.ArrayType
  ) as ArrayCtor;
  const values = buffer(d.values, ctor, path);
  if (!values && (d.length as number) > 0) throw layoutError(path, `its ${String(type)} data has no values`);
  return values;
}

function childData(d: Shape, type: DataType, path: string): Data[] {
  let fields: Field[];
  switch (type.typeId) {
    case Type.Struct:
    case Type.Union:
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList:
    case Type.Map:
      fields = type.children as Field[];
      break;
    default:
      return [];
  }
  const children = d.children;
  if (!Array.isArray(children) || children.length !== fields.length) {
    throw layoutError(
      path,
      `its ${String(type)} data has ${describeValue(children)} for ${fields.length} children`,
    );
  }
  return fields.map((f, i) => dataAs(children[i], f.type, path ? `${path}.${f.name}` : f.name));
}

function dictionaryOf(v: unknown, type: DataType, path: string): Vector {
  if (isOwn(Vector, v)) return v as Vector;
  if (!isVectorShape(v) || (v.data as unknown[]).length === 0) {
    throw layoutError(path, `its dictionary is ${describeValue(v)}, not an Arrow Vector`);
  }
  return new Vector(
    (v.data as Shape[]).map((chunk) => {
      let ours = dictionaryChunks.get(chunk);
      if (!ours) dictionaryChunks.set(chunk, (ours = dataAs(chunk, type, path)));
      return ours;
    }),
  );
}

function buffer<T extends ArrayCtor>(x: unknown, ctor: T, path: string): InstanceType<T> | undefined {
  if (x === undefined || x === null) return undefined;
  if (!ArrayBuffer.isView(x))
    throw layoutError(path, `a buffer of its data is ${describeValue(x)}, not a typed array`);
  if (x.constructor === ctor) return x as InstanceType<T>;
  const size = ctor.BYTES_PER_ELEMENT;
  if (x.byteLength % size !== 0) {
    throw layoutError(path, `a buffer of ${x.byteLength} bytes cannot hold ${size}-byte values`);
  }
  if (x.byteOffset % size === 0)
    return new ctor(x.buffer, x.byteOffset, x.byteLength / size) as InstanceType<T>;
  return new ctor(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength)) as InstanceType<T>;
}

const isArrayLike = (x: unknown): x is ArrayLike<unknown> =>
  Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));

function subject(path: string): string {
  return path ? `column "${path}"` : 'the input';
}

function layoutError(path: string, detail: string): InterfaceError {
  return new InterfaceError(
    `${subject(path)} comes from an apache-arrow that flightsql cannot read directly (${detail}): ` +
      `pass a Table from ${READABLE_ARROW}, or Arrow IPC bytes (tableToIPC(table) of the library that built it)`,
  );
}

function notArrow(expected: string, x: unknown, where = ''): InterfaceError {
  return new InterfaceError(`${where ? `${where}: ` : ''}expected ${expected}, got ${describeValue(x)}`);
}

function describeType(t: Shape): string {
  try {
    const text = String(t);
    if (text !== '[object Object]') return text;
  } catch {
    // A foreign toString that throws says nothing: fall through to the type id.
  }
  return `#${String(t.typeId)}`;
}

/** Says what `x` is, for error messages: typeof, class name, or the kind of Arrow object. */
export function describeValue(x: unknown): string {
  if (x === null) return 'null';
  switch (typeof x) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return `a string (${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x)})`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `a ${typeof x} (${String(x)})`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return `a function${x.name ? ` (${x.name})` : ''}`;
  }
  const shape = x as Shape;
  if (x instanceof Uint8Array) return `a ${x.constructor.name} of ${x.byteLength} bytes`;
  const kind = arrowKind(x);
  if (kind) return `an apache-arrow ${KIND_NAMES[kind]}`;
  if (Array.isArray(x)) {
    return x.length === 0
      ? 'an empty array'
      : `an array of ${x.length} (the first is ${describeValue(x[0])})`;
  }
  if (isObject(shape.schema) && Array.isArray(shape.chunks)) {
    return 'a Table of apache-arrow older than 9 (it has chunks, not batches)';
  }
  const name = (Object.getPrototypeOf(x) as { constructor?: { name?: string } } | null)?.constructor?.name;
  if (!name || name === 'Object') {
    const keys = Object.keys(x);
    const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', …' : '');
    return keys.length === 0 ? 'an empty object' : `a plain object with keys ${shown}`;
  }
  return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
}

function messageOf(err: unknown): string {
  return err instanceof globalThis.Error ? err.message : String(err);
}
