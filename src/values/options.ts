/** How rows and values are shaped. */
export interface ValueOptions {
  /** `'array'` (default): each row is an array in column order; `'object'`: keyed by column name. */
  readonly rowMode?: 'array' | 'object';
  /**
   * Timestamps as `Date` (default, millisecond precision), `'bigint'` nanoseconds since the
   * epoch (exact), or `'string'` ISO 8601 with every digit the column has.
   */
  readonly timestamps?: 'date' | 'bigint' | 'string';
  /** Int64/UInt64 as `bigint` (default) or as `number` when `'number'` (exact only below 2^53). */
  readonly int64?: 'bigint' | 'number';
  /** Decimals as exact `string` (default) or as `number`. */
  readonly decimals?: 'string' | 'number';
}

/** A row as produced by `rowMode`. */
export type Row = unknown[] | Record<string, unknown>;

/** ValueOptions with every default applied (in one place: `resolve`). */
export interface Resolved {
  readonly rowMode: 'array' | 'object';
  readonly timestamps: 'date' | 'bigint' | 'string';
  readonly int64: 'bigint' | 'number';
  readonly decimals: 'string' | 'number';
}

/** Applies the defaults of DESIGN.md "Values": lossless unless asked otherwise. */
export function resolve(options: ValueOptions = {}): Resolved {
  return {
    rowMode: options.rowMode ?? 'array',
    timestamps: options.timestamps ?? 'date',
    int64: options.int64 ?? 'bigint',
    decimals: options.decimals ?? 'string',
  };
}
