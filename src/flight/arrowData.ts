/**
 * Our Data rebuilt around a foreign apache-arrow's buffers, recursively through children and
 * dictionaries. Buffers are the part that differs between apache-arrow versions (which typed
 * array holds which values, where a Vector stands in for its Data), so re-viewing them without
 * copying, and checking they hold what our type reads, is kept apart from recognising the objects
 * (arrowShapes.ts) and building their types (arrowTypes.ts).
 */
import { Data, DataType, Dictionary, Field, Type, Union, Vector } from 'apache-arrow';
import { describeValue, isDataShape, isOwn, isVectorShape, layoutError, type Shape } from './arrowShapes';

type ArrayCtor = {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): ArrayBufferView;
  new (buffer: ArrayBufferLike): ArrayBufferView;
  readonly BYTES_PER_ELEMENT: number;
};

/** Our chunk per foreign dictionary chunk, kept stable so that the encoder sees a dictionary it
 * already sent (or its delta) rather than a new one each batch. */
const dictionaryChunks = new WeakMap<object, Data>();

/**
 * Our Data of `type` around `d`'s buffers. A buffer is re-viewed as the typed array our type
 * reads (apache-arrow 14 keeps 64-bit timestamps and dates in Int32Arrays): a view on the same
 * bytes, copied only when its offset is misaligned for our element size.
 */
export function dataAs(d: unknown, type: DataType, path: string): Data {
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
