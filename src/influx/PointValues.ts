/**
 * One point of a query result with typed getters (@influxdata/influxdb3-client's PointValues,
 * read side): measurement, tags, fields by InfluxDB type, and the timestamp. Lossless where
 * the official client is not: integers are bigint, the timestamp is exact nanoseconds.
 */
import { InterfaceError, ProgrammingError } from '../errors';
import { Point } from './Point';

/** InfluxDB's field types. */
export type PointFieldType = 'float' | 'integer' | 'uinteger' | 'string' | 'boolean';

/** The JS value of each field type: integers are bigint (int64 and uint64 do not fit a number). */
export interface PointFieldValues {
  /** A float field. */
  float: number;
  /** A signed 64-bit integer field (`i`). */
  integer: bigint;
  /** An unsigned 64-bit integer field (`u`). */
  uinteger: bigint;
  /** A string field. */
  string: string;
  /** A boolean field. */
  boolean: boolean;
}

/** A field value of any type. */
export type PointFieldValue = PointFieldValues[PointFieldType];

/** A point read back from a query (see `InfluxDBClient3.queryPoints`). */
export class PointValues {
  #measurement: string | undefined;
  #time: bigint | undefined;
  readonly #tags = new Map<string, string>();
  readonly #fields = new Map<string, readonly [PointFieldType, PointFieldValue]>();

  /** @internal Built by `queryPoints`. */
  constructor(measurement?: string, time?: bigint) {
    this.#measurement = measurement;
    this.#time = time;
  }

  /** The measurement: the `iox::measurement` (InfluxQL) or `measurement` column; undefined for SQL results without one. */
  getMeasurement(): string | undefined {
    return this.#measurement;
  }

  /** The `time` column, in exact nanoseconds since the epoch (the official client: what Arrow gave). */
  getTimestamp(): bigint | undefined {
    return this.#time;
  }

  /** The time as a Date (millisecond precision), or undefined. */
  getTimestampDate(): Date | undefined {
    return this.#time === undefined ? undefined : new Date(Number(this.#time / 1_000_000n));
  }

  /** A tag's value, or undefined when the point has no such tag. */
  getTag(name: string): string | undefined {
    return this.#tags.get(name);
  }

  /** The tag names, in column order. */
  getTagNames(): string[] {
    return [...this.#tags.keys()];
  }

  /** A float field; ProgrammingError if the field has another type. */
  getFloatField(name: string): number | undefined {
    return this.getField(name, 'float');
  }

  /** An integer field as a bigint (exact over int64); ProgrammingError if the field has another type. */
  getIntegerField(name: string): bigint | undefined {
    return this.getField(name, 'integer');
  }

  /** An unsigned integer field as a bigint; ProgrammingError if the field has another type. */
  getUintegerField(name: string): bigint | undefined {
    return this.getField(name, 'uinteger');
  }

  /** A string field; ProgrammingError if the field has another type. */
  getStringField(name: string): string | undefined {
    return this.getField(name, 'string');
  }

  /** A boolean field; ProgrammingError if the field has another type. */
  getBooleanField(name: string): boolean | undefined {
    return this.getField(name, 'boolean');
  }

  /**
   * A field's value, undefined when the point has no such field (or its value was null). With
   * `type`, a field of another type is a ProgrammingError (the official GetFieldTypeMissmatchError).
   */
  getField<T extends PointFieldType>(name: string, type: T): PointFieldValues[T] | undefined;
  getField(name: string): PointFieldValue | undefined;
  getField(name: string, type?: PointFieldType): PointFieldValue | undefined {
    const field = this.#fields.get(name);
    if (!field) return undefined;
    if (type !== undefined && field[0] !== type) {
      throw new ProgrammingError(`field ${JSON.stringify(name)} is of type ${field[0]}, not ${type}`);
    }
    return field[1];
  }

  /** A field's type, or undefined when the point has no such field. */
  getFieldType(name: string): PointFieldType | undefined {
    return this.#fields.get(name)?.[0];
  }

  /** The field names, in column order. */
  getFieldNames(): string[] {
    return [...this.#fields.keys()];
  }

  /** Whether the point has any field. */
  hasFields(): boolean {
    return this.#fields.size > 0;
  }

  /**
   * A Point with these values, to write them (back): `measurement` names it when the result had
   * no measurement column (SQL). InterfaceError without either.
   */
  asPoint(measurement?: string): Point {
    const name = measurement ?? this.#measurement;
    if (!name) throw new InterfaceError('asPoint(): the values have no measurement: pass one');
    const point = new Point(name);
    for (const [name, value] of this.#tags) point.tag(name, value);
    for (const [name, [type, value]] of this.#fields) {
      if (type === 'float') point.floatField(name, value as number);
      else if (type === 'integer') point.intField(name, value as bigint);
      else if (type === 'uinteger') point.uintField(name, value as bigint);
      else if (type === 'string') point.stringField(name, value as string);
      else point.booleanField(name, value as boolean);
    }
    if (this.#time !== undefined) point.timestamp(this.#time);
    return point;
  }

  /** @internal */
  setTag(name: string, value: string): void {
    this.#tags.set(name, value);
  }

  /** @internal */
  setField(name: string, type: PointFieldType, value: PointFieldValue): void {
    this.#fields.set(name, [type, value]);
  }

  /** @internal */
  setMeasurement(name: string): void {
    this.#measurement = name;
  }

  /** @internal */
  setTimestamp(nanoseconds: bigint): void {
    this.#time = nanoseconds;
  }
}
