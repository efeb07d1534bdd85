/**
 * Parameter values as DuckDB binds them. Values from Arrow parameter batches keep the exact type
 * of their column (arrowChunks.ts); plain JSON values (InfluxDB's JSON ticket) are typed as the
 * same literal written in DuckDB SQL would be: `20` INTEGER, `3000000000` BIGINT, `2.5`
 * DECIMAL(2,1), `1e+21` DOUBLE, text VARCHAR. A value whose type differs from the parameter's
 * is then cast, or the statement re-bound, by DuckDB itself, exactly as for that literal.
 */
import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { status as Status } from '@grpc/grpc-js';
import { JsonNumber } from '../exactJson';
import { StatusError } from '../statusErrors';
import type { NodeApi } from './runtime';

/** A parameter value with the DuckDB type it is bound as. */
export class TypedValue {
  constructor(
    readonly value: DuckDBValue,
    readonly type: DuckDBType,
  ) {}
}

const INT32 = 2n ** 31n;
const INT64 = 2n ** 63n;
const INT128 = 2n ** 127n;

/** An integer as DuckDB types an integer literal: INTEGER, BIGINT, HUGEINT, else DOUBLE. */
function integerLiteral(api: NodeApi, n: bigint): TypedValue {
  if (n >= -INT32 && n < INT32) return new TypedValue(Number(n), api.INTEGER);
  if (n >= -INT64 && n < INT64) return new TypedValue(n, api.BIGINT);
  if (n >= -INT128 && n < INT128) return new TypedValue(n, api.HUGEINT);
  return new TypedValue(Number(n), api.DOUBLE);
}

/**
 * A number as the literal `text` is (a JS number's shortest text, or a JSON number as sent):
 * integral, decimal, or (with an exponent, or past DECIMAL's 38 digits) DOUBLE.
 */
function numberLiteral(api: NodeApi, text: string): TypedValue {
  if (/^-?\d+$/.test(text)) return integerLiteral(api, BigInt(text));
  const decimal = /^(-?)(\d+)\.(\d+)$/.exec(text);
  if (decimal) {
    const [, sign, whole, fraction] = decimal as unknown as [string, string, string, string];
    const width = whole.length + fraction.length;
    if (width <= 38) {
      const unscaled = BigInt(`${sign}${whole}${fraction}`);
      return new TypedValue(
        api.decimalValue(unscaled, width, fraction.length),
        api.DECIMAL(width, fraction.length),
      );
    }
  }
  return new TypedValue(Number(text), api.DOUBLE);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : typeof value;
}

/**
 * `value` as the literal it would be in DuckDB SQL; null for NULL. `name` names the parameter
 * in the error for a value that has no literal form (arrays, objects).
 */
export function literalOf(api: NodeApi, value: unknown, name: string): TypedValue | null {
  if (value === null || value === undefined) return null;
  if (value instanceof TypedValue) return value;
  switch (typeof value) {
    case 'boolean':
      return new TypedValue(value, api.BOOLEAN);
    case 'string':
      return new TypedValue(value, api.VARCHAR);
    case 'number':
      return numberLiteral(api, String(value));
    case 'bigint':
      return integerLiteral(api, value);
    default:
      break;
  }
  if (value instanceof JsonNumber) return numberLiteral(api, value.text);
  if (value instanceof Uint8Array) return new TypedValue(api.blobValue(value), api.BLOB);
  if (value instanceof Date && !Number.isNaN(value.getTime()))
    return new TypedValue(api.timestampValue(BigInt(value.getTime()) * 1000n), api.TIMESTAMP);
  throw new StatusError(
    Status.INVALID_ARGUMENT,
    `parameter ${name}: ${describe(value)} cannot be bound (parameters are strings, numbers, booleans or null; send lists and structs as Arrow parameters)`,
  );
}
