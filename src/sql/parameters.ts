/**
 * Parameters of prepared statements as an Arrow batch: one row per parameter set, one column
 * per parameter, typed from the server's parameter schema (or from the values where the server
 * cannot tell a type).
 */
import {
  Field,
  Null,
  RecordBatch,
  Schema,
  Table,
  Type,
  vectorFromArray,
  Binary,
  Bool,
  Float64,
  Int64,
  TimestampMicrosecond,
  Utf8,
  makeData,
  makeVector,
  Struct,
  type DataType,
  type Vector,
} from 'apache-arrow';
import { DataError, InterfaceError } from '../errors';

/** Parameters: one row of positional values, several rows, or Arrow data used as it is. */
export type Parameters = readonly unknown[] | readonly (readonly unknown[])[] | RecordBatch | Table;

/** The Arrow type for a value whose parameter type the server left open. */
function typeForValue(value: unknown): DataType {
  if (typeof value === 'bigint') return new Int64();
  if (typeof value === 'number') return new Float64();
  if (typeof value === 'boolean') return new Bool();
  if (value instanceof Uint8Array) return new Binary();
  if (value instanceof Date) return new TimestampMicrosecond();
  return new Utf8();
}

function isRows(
  parameters: readonly unknown[] | readonly (readonly unknown[])[],
): parameters is readonly (readonly unknown[])[] {
  return parameters.length > 0 && parameters.every((p) => Array.isArray(p));
}

/** Normalises a value for its Arrow column type (Decimal from text or numbers, timestamps from Dates). */
function columnOf(type: DataType, values: unknown[], name: string): Vector {
  try {
    if (type.typeId === Type.Timestamp || type.typeId === Type.Date) {
      // apache-arrow's builders take timestamps and dates as epoch milliseconds.
      values = values.map((v) => (v instanceof Date ? v.getTime() : typeof v === 'bigint' ? Number(v) : v));
    }
    if (type.typeId === Type.Int && (type as unknown as { bitWidth: number }).bitWidth === 64) {
      values = values.map((v) => (typeof v === 'number' ? BigInt(v) : v));
    }
    if (type.typeId === Type.Decimal) return decimalColumn(type, values);
    return vectorFromArray(values, type);
  } catch (err) {
    throw new DataError(
      `parameter ${name}: cannot encode ${values.map(String).join(', ')} as ${String(type)}`,
      {
        cause: err,
      },
    );
  }
}

function decimalColumn(type: DataType, values: unknown[]): Vector {
  const { scale, bitWidth } = type as unknown as { scale: number; bitWidth: number };
  const words = bitWidth / 32;
  const data = new Uint32Array(values.length * words);
  const validity = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((value, row) => {
    if (value === null || value === undefined) {
      nullCount++;
      return;
    }
    validity[row >> 3]! |= 1 << (row & 7);
    const text = String(value);
    const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
    if (!match) throw new RangeError(`not a decimal: ${text}`);
    const fraction = (match[3] ?? '').padEnd(scale, '0');
    if (fraction.length > scale && /[1-9]/.test(fraction.slice(scale)))
      throw new RangeError(`too many digits: ${text}`);
    let n = BigInt((match[2] || '0') + fraction.slice(0, scale));
    if (match[1] === '-') n = -n;
    let bits = BigInt.asUintN(bitWidth, n);
    for (let w = 0; w < words; w++) {
      data[row * words + w] = Number(bits & 0xffffffffn);
      bits >>= 32n;
    }
  });
  return makeVector(
    makeData({ type: type as never, length: values.length, nullCount, nullBitmap: validity, data }),
  );
}

/**
 * Builds the parameter batch for `schema` from positional values (one row), rows of values, or
 * Arrow data (sent as it is). Counts are checked against the schema when it names parameters.
 */
export function parameterBatches(schema: Schema, parameters: Parameters): RecordBatch[] {
  if (parameters instanceof RecordBatch) return [parameters];
  if (parameters instanceof Table) return parameters.batches;
  const rows = isRows(parameters) ? parameters : [parameters as readonly unknown[]];
  const width = schema.fields.length || (rows[0]?.length ?? 0);
  for (const row of rows) {
    if (row.length !== width) {
      throw new InterfaceError(`the statement takes ${width} parameter(s), a row has ${row.length}`);
    }
  }
  const fields: Field[] = [];
  const columns: Vector[] = [];
  for (let c = 0; c < width; c++) {
    const declared = schema.fields[c];
    const values = rows.map((r) => (r[c] === undefined ? null : r[c]));
    const open = !declared || declared.type.typeId === Type.Null;
    const sample = values.find((v) => v !== null);
    const type = open ? (sample === undefined ? new Null() : typeForValue(sample)) : declared.type;
    const name = declared?.name ?? String(c + 1);
    columns.push(columnOf(type, values, name));
    fields.push(new Field(name, type, true));
  }
  const batchSchema = new Schema(fields);
  const data = makeData({
    type: new Struct(fields),
    length: rows.length,
    nullCount: 0,
    children: columns.map((v) => v.data[0]!),
  });
  return [new RecordBatch(batchSchema, data)];
}
