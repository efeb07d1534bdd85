/**
 * Unquoted line protocol field values: float (no suffix), integer (`i`, int64), unsigned (`u`,
 * uint64) and boolean, read as InfluxDB reads them. NaN and infinities are refused: InfluxDB
 * cannot store them, and a client that sends `inf` has a bug worth hearing about.
 */

/** The type of a field value: a line protocol type, which becomes a DuckDB column type. */
export type FieldType = 'float' | 'integer' | 'unsigned' | 'string' | 'boolean';

/** A field value: number (float), bigint (integer, unsigned), string or boolean. */
export type FieldValue = number | bigint | string | boolean;

/** Largest int64 (`i` suffix). */
export const INT64_MAX = 9_223_372_036_854_775_807n;
/** Smallest int64. */
export const INT64_MIN = -9_223_372_036_854_775_808n;
/** Largest uint64 (`u` suffix). */
export const UINT64_MAX = 18_446_744_073_709_551_615n;

const FLOAT = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^-?\d+i$/;
const UNSIGNED = /^\d+u$/;
const NEGATIVE_UNSIGNED = /^-\d+u$/;
const NOT_A_NUMBER = /^[+-]?(?:nan|inf|infinity)$/i;
const BOOLEANS: Readonly<Record<string, boolean>> = {
  t: true,
  T: true,
  true: true,
  True: true,
  TRUE: true,
  f: false,
  F: false,
  false: false,
  False: false,
  FALSE: false,
};

/** `'text'` for messages, cut after 64 characters. */
export const show = (text: string) => `'${text.length > 64 ? `${text.slice(0, 64)}…` : text}'`;

/**
 * Reads `raw`, the value of field `key`, pushing its type and value on `types` and `values`
 * (parallel arrays: no object per value); returns the problem instead when it is not valid.
 */
export function readScalar(
  raw: string,
  key: string,
  types: FieldType[],
  values: FieldValue[],
): string | undefined {
  const last = raw.charCodeAt(raw.length - 1);
  if (FLOAT.test(raw)) {
    const value = Number(raw);
    if (!Number.isFinite(value)) return `float value ${show(raw)} of field ${show(key)} is out of range`;
    types.push('float');
    values.push(value);
  } else if (last === 0x69 /* i */ && INTEGER.test(raw)) {
    const value = BigInt(raw.slice(0, -1));
    if (value > INT64_MAX || value < INT64_MIN) {
      return `integer value ${show(raw)} of field ${show(key)} is out of the int64 range`;
    }
    types.push('integer');
    values.push(value);
  } else if (last === 0x75 /* u */ && UNSIGNED.test(raw)) {
    const value = BigInt(raw.slice(0, -1));
    if (value > UINT64_MAX)
      return `unsigned value ${show(raw)} of field ${show(key)} is out of the uint64 range`;
    types.push('unsigned');
    values.push(value);
  } else if (Object.hasOwn(BOOLEANS, raw)) {
    types.push('boolean');
    values.push(BOOLEANS[raw]!);
  } else if (NOT_A_NUMBER.test(raw)) {
    return `field ${show(key)} is ${raw}: NaN and infinity cannot be stored`;
  } else if (NEGATIVE_UNSIGNED.test(raw)) {
    return `unsigned value ${show(raw)} of field ${show(key)} is negative`;
  } else {
    return `invalid value ${show(raw)} for field ${show(key)}: not a float, integer (i), unsigned (u), boolean or "string"`;
  }
  return undefined;
}
