/**
 * Parameters of a union type (Arrow C++'s SQLite server declares every parameter as
 * `dense_union<string, bytes, bigint, double>`, letting the client pick per value): each value
 * goes to the member that holds its JavaScript type.
 */
import {
  Type,
  UnionMode,
  makeData,
  makeVector,
  type Data,
  type DataType,
  type Field,
  type Union,
  type Vector,
} from 'apache-arrow';
import { DataError } from '../errors';
import { SqlDate, SqlTime } from './temporal';

/** Builds one column from values: the caller's column builder, used for every member. */
export type ColumnBuilder = (type: DataType, values: unknown[], name: string) => Vector;

/** Member types that hold a kind of value, best first. */
const PREFERENCES: Record<string, readonly Type[]> = {
  string: [Type.Utf8, Type.LargeUtf8, Type.Utf8View],
  bytes: [Type.Binary, Type.LargeBinary, Type.BinaryView, Type.FixedSizeBinary],
  boolean: [Type.Bool],
  integer: [Type.Int, Type.Decimal, Type.Float],
  number: [Type.Float, Type.Decimal],
  timestamp: [Type.Timestamp, Type.Date],
  date: [Type.Date, Type.Timestamp],
  time: [Type.Time],
};

function kindOf(value: unknown): string | undefined {
  if (typeof value === 'string') return 'string';
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return 'bytes';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'bigint' || Number.isSafeInteger(value)) return 'integer';
  if (typeof value === 'number') return 'number';
  if (value instanceof SqlDate) return 'date';
  if (value instanceof Date) return 'timestamp';
  if (value instanceof SqlTime) return 'time';
  return undefined;
}

/** Integer members that can hold `value`, widest first (signed before unsigned at equal width). */
function intFits(type: DataType, value: bigint): boolean {
  const { bitWidth, isSigned } = type as unknown as { bitWidth: number; isSigned: boolean };
  return isSigned ? BigInt.asIntN(bitWidth, value) === value : BigInt.asUintN(bitWidth, value) === value;
}

function width(type: DataType): number {
  const t = type as unknown as { bitWidth?: number; precision?: number };
  return (t.bitWidth ?? 0) * 2 + (t.precision ?? 0) + ((type as { isSigned?: boolean }).isSigned ? 1 : 0);
}

/** The index of the member of `members` for `value`, or -1. */
function memberFor(members: readonly Field[], value: unknown): number {
  if (value === null) {
    const nullMember = members.findIndex((m) => m.type.typeId === Type.Null);
    if (nullMember >= 0) return nullMember;
    const nullable = members.findIndex((m) => m.nullable);
    return nullable >= 0 ? nullable : 0;
  }
  const kind = kindOf(value);
  if (!kind) return -1;
  for (const typeId of PREFERENCES[kind]!) {
    let candidates = members.map((m, i) => [m, i] as const).filter(([m]) => m.type.typeId === typeId);
    if (typeId === Type.Int)
      candidates = candidates.filter(([m]) => intFits(m.type, BigInt(value as number)));
    if (typeId === Type.FixedSizeBinary)
      candidates = candidates.filter(
        ([m]) => (m.type as unknown as { byteWidth: number }).byteWidth === (value as Uint8Array).byteLength,
      );
    if (typeId === Type.Float && typeof value === 'bigint')
      candidates = candidates.filter(() => BigInt(Number(value)) === value);
    if (candidates.length === 0) continue;
    candidates.sort(([a], [b]) => width(b.type) - width(a.type));
    return candidates[0]![1];
  }
  return -1;
}

/** The union column of `values`: type ids, offsets (dense), and one child per member. */
export function unionColumn(
  type: Union,
  values: readonly unknown[],
  name: string,
  build: ColumnBuilder,
): Vector {
  const members = type.children;
  const dense = type.mode === UnionMode.Dense;
  const typeIds = new Int8Array(values.length);
  const valueOffsets = dense ? new Int32Array(values.length) : undefined;
  const memberValues: unknown[][] = members.map(() => (dense ? [] : new Array(values.length).fill(null)));
  values.forEach((value, row) => {
    const member = memberFor(members, value);
    if (member < 0) {
      const shown = typeof value === 'string' ? `'${value}'` : String(value);
      throw new DataError(
        `parameter ${name}: no member of ${String(type)} holds ${shown.slice(0, 60)} ` +
          `(members: ${members.map((m) => `${m.name}: ${String(m.type)}`).join(', ')})`,
      );
    }
    typeIds[row] = type.typeIds[member]!;
    if (dense) {
      valueOffsets![row] = memberValues[member]!.length;
      memberValues[member]!.push(value);
    } else memberValues[member]![row] = value;
  });
  const children: Data[] = members.map(
    (m, i) => build(m.type, memberValues[i]!, `${name}.${m.name}`).data[0]!,
  );
  return makeVector(
    makeData({ type, length: values.length, nullCount: 0, typeIds, valueOffsets, children } as never) as Data,
  );
}
