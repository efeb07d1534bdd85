/**
 * Recognising Arrow objects by shape, and saying what went wrong when they are not Arrow or not
 * readable. arrowInput.ts, arrowTypes.ts and arrowData.ts all ask the same questions of a foreign
 * object (is it ours, does it look like a Schema, a Data, a DataType?) and all report failures in
 * the same words, so the predicates and the message helpers live here, below all three; the
 * public `arrowKind` and `describeValue` are re-exported from arrowInput.ts.
 */
import { Data, DataType, Field, RecordBatch, Schema, Table, Vector } from 'apache-arrow';
import { InterfaceError } from '../errors';

/** The versions whose objects have the shape read here: 9.0 introduced Data, RecordBatch.data, Table.batches. */
const READABLE_ARROW = 'apache-arrow 9 to 21';

/** What an Arrow object is, by our class or by its shape; `ipc` is any Uint8Array (IPC bytes, perhaps). */
export type ArrowKind = 'table' | 'batch' | 'schema' | 'field' | 'vector' | 'data' | 'type' | 'ipc';

export type Shape = { readonly [key: string | symbol]: unknown };

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

/** True only for objects built by our copy's class (the prototype chain, not the `Symbol.for` brand). */
export function isOwn(cls: abstract new (...args: never[]) => unknown, x: unknown): boolean {
  return Function.prototype[Symbol.hasInstance].call(cls, x);
}

export const isObject = (x: unknown): x is Shape => typeof x === 'object' && x !== null;
export const isTypeShape = (x: unknown): x is Shape =>
  isObject(x) && typeof x.typeId === 'number' && !('type' in x) && !('fields' in x);
export const isFieldShape = (x: unknown): x is Shape =>
  isObject(x) && typeof x.name === 'string' && isTypeShape(x.type) && typeof x.nullable === 'boolean';
export const isSchemaShape = (x: unknown): x is Shape =>
  isObject(x) && Array.isArray(x.fields) && x.fields.every(isFieldShape) && !('schema' in x);
export const isDataShape = (x: unknown): x is Shape =>
  isObject(x) &&
  isTypeShape(x.type) &&
  typeof x.length === 'number' &&
  typeof x.offset === 'number' &&
  !Array.isArray(x.data);
export const isVectorShape = (x: unknown): x is Shape =>
  isObject(x) && isTypeShape(x.type) && Array.isArray(x.data) && x.data.every(isDataShape);
export const isBatchShape = (x: unknown): x is Shape =>
  isObject(x) && isSchemaShape(x.schema) && isDataShape(x.data);
export const isTableShape = (x: unknown): x is Shape =>
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

export function subject(path: string): string {
  return path ? `column "${path}"` : 'the input';
}

export function layoutError(path: string, detail: string): InterfaceError {
  return new InterfaceError(
    `${subject(path)} comes from an apache-arrow that flightsql cannot read directly (${detail}): ` +
      `pass a Table from ${READABLE_ARROW}, or Arrow IPC bytes (tableToIPC(table) of the library that built it)`,
  );
}

export function notArrow(expected: string, x: unknown, where = ''): InterfaceError {
  return new InterfaceError(`${where ? `${where}: ` : ''}expected ${expected}, got ${describeValue(x)}`);
}

export function describeType(t: Shape): string {
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
