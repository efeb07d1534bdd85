/**
 * The points of a DataFrame, by influxdb-python's DataFrameClient rules (5.3.1, the Debian
 * reference): which columns are tags and which are fields, tags written as Python's `str()`
 * writes them (`1.0`, `True`), integer columns as integer fields, NaN and null fields left
 * out of their line. The frame's time is a column (polars has no index): `timeColumn`.
 * Escaping and line building are the Point serialiser's, so names reach the server intact.
 */
import { Type, makeVector, type Data, type DataType, type Table } from 'apache-arrow';
import { DataError, ProgrammingError } from '../errors';
import type { PointObject, TagValue } from './Point';

/** How a frame's columns become points. */
export interface FramePointsOptions {
  /** Tags of every point; they win over a tag column of the same name, as in influxdb-python. */
  readonly tags?: Readonly<Record<string, TagValue>>;
  /** Columns written as tags. */
  readonly tagColumns?: readonly string[];
  /** Columns written as fields (default: every other column). */
  readonly fieldColumns?: readonly string[];
  /** The time column (default `time`): a Datetime (any unit, any zone) or a Date. */
  readonly timeColumn?: string;
  /** `line` (default): with fieldColumns but no tagColumns, the other columns are tags. `json`: they are left out. */
  readonly protocol?: 'line' | 'json';
}

type Read = (i: number) => unknown;

/** The points of rows `[start, end)` of a table, checked column by column first. */
export function framePoints(
  table: Table,
  measurement: string,
  options: FramePointsOptions,
  start = 0,
  end = table.numRows,
): PointObject[] {
  const plan = planColumns(table, options);
  const globals = globalTags(options.tags);
  const out: PointObject[] = [];
  let row = 0;
  for (const batch of table.batches) {
    const first = Math.max(start - row, 0);
    const last = Math.min(end - row, batch.numRows);
    row += batch.numRows;
    if (first >= last) continue;
    const child = (index: number) => batch.data.children[index]!;
    const time = timeReader(child(plan.time.index), plan.time.name);
    const tags = plan.tags.map((c) => [c.name, tagReader(child(c.index), c.name)] as const);
    const fields = plan.fields.map((c) => [c.name, fieldReader(child(c.index), c.name)] as const);
    for (let i = first; i < last; i++) {
      const fieldValues: Record<string, string | number | bigint | boolean> = {};
      let any = false;
      for (const [name, read] of fields) {
        const v = read(i);
        if (v !== null) {
          fieldValues[name] = v as string | number | bigint | boolean;
          any = true;
        }
      }
      // influxdb-python writes `m,tags  time` here, which InfluxDB refuses: leave the row out.
      if (!any) continue;
      const tagValues: Record<string, string> = {};
      for (const [name, read] of tags) {
        const v = read(i);
        if (v !== null && v !== '') tagValues[name] = v as string;
      }
      Object.assign(tagValues, globals);
      const t = time(i);
      if (t === null)
        throw new DataError(
          `row ${row - batch.numRows + i} has no time (column ${JSON.stringify(plan.time.name)})`,
        );
      out.push({ measurement, tags: tagValues, fields: fieldValues, time: t as bigint });
    }
  }
  return out;
}

interface Column {
  readonly name: string;
  readonly index: number;
}

function planColumns(
  table: Table,
  options: FramePointsOptions,
): { time: Column; tags: Column[]; fields: Column[] } {
  const names = table.schema.fields.map((f) => f.name);
  const timeName = options.timeColumn ?? 'time';
  const timeIndex = names.indexOf(timeName);
  if (timeIndex < 0) {
    throw new ProgrammingError(
      `the frame has no time column ${JSON.stringify(timeName)}: name it with timeColumn (influxdb-python takes the DataFrame's DatetimeIndex; polars frames have no index)`,
    );
  }
  const others = names.filter((n) => n !== timeName);
  const check = (list: readonly string[] | undefined, what: string): string[] => {
    const given = [...(list ?? [])];
    const unknown = given.filter((n) => !others.includes(n));
    if (given.includes(timeName))
      throw new ProgrammingError(`the time column ${JSON.stringify(timeName)} cannot be one of ${what}`);
    if (unknown.length > 0)
      throw new ProgrammingError(
        `${what} not in the frame: ${unknown.map((n) => JSON.stringify(n)).join(', ')}`,
      );
    return given;
  };
  let tagColumns = check(options.tagColumns, 'tagColumns');
  let fieldColumns = check(options.fieldColumns, 'fieldColumns');
  if ((options.protocol ?? 'line') === 'line' && fieldColumns.length > 0 && tagColumns.length === 0) {
    tagColumns = others.filter((n) => !fieldColumns.includes(n));
  }
  if (fieldColumns.length === 0) fieldColumns = others.filter((n) => !tagColumns.includes(n));
  const column = (name: string): Column => ({ name, index: names.indexOf(name) });
  return { time: column(timeName), tags: tagColumns.map(column), fields: fieldColumns.map(column) };
}

function globalTags(tags: Readonly<Record<string, TagValue>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (value === null || value === undefined) continue;
    const text = pythonStr(value);
    if (text !== '') out[key] = text;
  }
  return out;
}

/**
 * A value as Python's `str()` writes it: whole numbers as integers (JavaScript cannot tell
 * 1 from 1.0; Python users write `1` for an integer), other numbers as `repr(float)`,
 * booleans as `True` / `False`.
 */
export function pythonStr(value: unknown): string {
  if (typeof value === 'number')
    return Number.isInteger(value) ? BigInt(value).toString() : pythonFloat(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

const NS_PER_UNIT = [1_000_000_000n, 1_000_000n, 1_000n, 1n];

function timeReader(data: Data, name: string): Read {
  const valid = (i: number) => data.getValid(i);
  switch (data.type.typeId) {
    case Type.Timestamp: {
      const perUnit = NS_PER_UNIT[(data.type as unknown as { unit: number }).unit]!;
      const values = data.values as BigInt64Array;
      return (i) => (valid(i) ? values[i]! * perUnit : null);
    }
    case Type.Date: {
      const day = (data.type as unknown as { unit: number }).unit === 0;
      const values = data.values as Int32Array | BigInt64Array;
      return (i) => (valid(i) ? BigInt(values[i]!) * (day ? 86_400_000_000_000n : 1_000_000n) : null);
    }
    default:
      throw new ProgrammingError(
        `the time column ${JSON.stringify(name)} is ${typeName(data.type)}, not a Datetime or Date`,
      );
  }
}

function fieldReader(data: Data, name: string): Read {
  const valid = (i: number) => data.getValid(i);
  const { typeId } = data.type;
  if (typeId === Type.Int) {
    const values = data.values as ArrayLike<number | bigint>;
    return (i) => (valid(i) ? BigInt(values[i]!) : null);
  }
  if (typeId === Type.Float) {
    const vector = makeVector(data);
    return (i) => {
      const v = vector.get(i) as number | null;
      return v === null || !Number.isFinite(v) ? null : v;
    };
  }
  if (typeId === Type.Bool || isText(data.type)) {
    const vector = makeVector(data);
    return (i) => (vector.get(i) as string | boolean | null) ?? null;
  }
  if (typeId === Type.Null) return () => null;
  const hint = typeId === Type.Decimal ? ' (cast it to Float64 for a float field, or to String)' : '';
  throw new ProgrammingError(
    `column ${JSON.stringify(name)} is ${typeName(data.type)}: fields are integers, floats, booleans or strings${hint}`,
  );
}

/** Tag values as influxdb-python writes them: pandas' `astype(str)` of the column. */
function tagReader(data: Data, name: string): Read {
  const { typeId } = data.type;
  if (typeId === Type.Int) {
    const values = data.values as ArrayLike<number | bigint>;
    return (i) => (data.getValid(i) ? String(values[i]) : null);
  }
  if (typeId === Type.Float) {
    const vector = makeVector(data);
    // A NaN tag is filled with '' (so left out) by influxdb-python.
    return (i) => {
      const v = vector.get(i) as number | null;
      return v === null || Number.isNaN(v) ? null : pythonFloat(v);
    };
  }
  if (typeId === Type.Bool) {
    const vector = makeVector(data);
    return (i) => {
      const v = vector.get(i) as boolean | null;
      return v === null ? null : v ? 'True' : 'False';
    };
  }
  if (isText(data.type)) {
    const vector = makeVector(data);
    return (i) => (vector.get(i) as string | null) ?? null;
  }
  if (typeId === Type.Null) return () => null;
  throw new ProgrammingError(
    `column ${JSON.stringify(name)} is ${typeName(data.type)}: tags are strings, numbers or booleans`,
  );
}

function isText(type: DataType): boolean {
  const { typeId } = type;
  if (typeId === Type.Utf8 || typeId === Type.LargeUtf8 || typeId === Type.Utf8View) return true;
  return typeId === Type.Dictionary && isText((type as unknown as { dictionary: DataType }).dictionary);
}

function typeName(type: DataType): string {
  return String(type);
}

/**
 * Python's `repr(float)` (and numpy's `str`): the shortest digits that read back, fixed
 * notation from 1e-4 up to 1e16 with at least one decimal (`1.0`), else `1e+16`, `1.5e-05`.
 */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, exponent] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const point = Number(exponent) + 1;
  if (point > 16 || point <= -4) {
    const e = point - 1;
    const rest = digits.length > 1 ? `.${digits.slice(1)}` : '';
    return `${sign}${digits[0]}${rest}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
