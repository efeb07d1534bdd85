/**
 * DuckDB logical type -> Arrow type, following DuckDB's own Arrow export where apache-arrow
 * (JS, v21) can represent and IPC-encode the result.
 *
 * | DuckDB                         | Arrow                                                        |
 * | ------------------------------ | ------------------------------------------------------------ |
 * | BOOLEAN                        | Bool                                                         |
 * | TINYINT/SMALLINT/INTEGER/BIGINT| Int8/16/32/64                                                |
 * | UTINYINT/.../UBIGINT           | Uint8/16/32/64                                               |
 * | HUGEINT                        | Decimal(38, 0), 128-bit (bit-exact; like DuckDB, the nominal |
 * |                                | precision 38 is one digit short of int128's extremes)        |
 * | UHUGEINT                       | Utf8, decimal text (values >= 2^127 do not fit Decimal128)   |
 * | FLOAT / DOUBLE                 | Float32 / Float64                                            |
 * | DECIMAL(w, s)                  | Decimal(s, w), 128-bit (int16/32/64 storage sign-extended)   |
 * | VARCHAR, JSON                  | Utf8 (JSON also gets `ARROW:extension:name = arrow.json`)    |
 * | BLOB                           | Binary                                                       |
 * | BIT                            | Utf8, '0'/'1' text (DuckDB's text form)                      |
 * | DATE                           | DateDay                                                      |
 * | TIME / TIME_NS                 | TimeMicrosecond / TimeNanosecond                             |
 * | TIME WITH TIME ZONE            | TimeMicrosecond, normalised to UTC (offset subtracted,       |
 * |                                | wrapped into [0, 24h))                                       |
 * | TIMESTAMP                      | Timestamp(MICROSECOND)                                       |
 * | TIMESTAMP_S/_MS/_NS            | Timestamp(SECOND/MILLISECOND/NANOSECOND)                     |
 * | TIMESTAMP WITH TIME ZONE       | Timestamp(MICROSECOND, 'UTC')                                |
 * | INTERVAL                       | Interval(MONTH_DAY_NANO) (micros * 1000, wrapping like DuckDB)|
 * | UUID                           | Utf8, canonical 8-4-4-4-12 lower-case text                   |
 * | ENUM                           | Dictionary<Utf8, Int8/Int16/Int32 (smallest signed)>; the    |
 * |                                | dictionary is the enum's member list, one per result         |
 * | LIST / ARRAY                   | List / FixedSizeList (child field 'item')                    |
 * | STRUCT                         | Struct                                                       |
 * | MAP                            | Map_ (entries{key non-null, value}, keysSorted=false)        |
 * | UNION                          | SparseUnion (type ids = member index, like DuckDB)           |
 * | BIGNUM (VARINT)                | Utf8, decimal text                                           |
 * | GEOMETRY                       | Binary, WKB (`geoarrow.wkb` extension metadata, like DuckDB) |
 * | SQLNULL                        | Null                                                         |
 * | anything else (VARIANT, ...)   | Utf8, the value's text form                                  |
 *
 * Only types are imported from DuckDB here: it is an optional dependency.
 */
import type { DuckDBType, DuckDBTypeId } from '@duckdb/node-api';
import {
  Binary,
  Bool,
  DataType,
  DateDay,
  Decimal,
  Dictionary,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  IntervalMonthDayNano,
  List,
  Map_,
  Null,
  SparseUnion,
  Struct,
  TimeMicrosecond,
  TimeNanosecond,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
} from 'apache-arrow';

/** DuckDBTypeId values, typed as the enum's members so that switches narrow `DuckDBType`. */
export const TypeId = {
  BOOLEAN: 1 as DuckDBTypeId.BOOLEAN,
  TINYINT: 2 as DuckDBTypeId.TINYINT,
  SMALLINT: 3 as DuckDBTypeId.SMALLINT,
  INTEGER: 4 as DuckDBTypeId.INTEGER,
  BIGINT: 5 as DuckDBTypeId.BIGINT,
  UTINYINT: 6 as DuckDBTypeId.UTINYINT,
  USMALLINT: 7 as DuckDBTypeId.USMALLINT,
  UINTEGER: 8 as DuckDBTypeId.UINTEGER,
  UBIGINT: 9 as DuckDBTypeId.UBIGINT,
  FLOAT: 10 as DuckDBTypeId.FLOAT,
  DOUBLE: 11 as DuckDBTypeId.DOUBLE,
  TIMESTAMP: 12 as DuckDBTypeId.TIMESTAMP,
  DATE: 13 as DuckDBTypeId.DATE,
  TIME: 14 as DuckDBTypeId.TIME,
  INTERVAL: 15 as DuckDBTypeId.INTERVAL,
  HUGEINT: 16 as DuckDBTypeId.HUGEINT,
  VARCHAR: 17 as DuckDBTypeId.VARCHAR,
  BLOB: 18 as DuckDBTypeId.BLOB,
  DECIMAL: 19 as DuckDBTypeId.DECIMAL,
  TIMESTAMP_S: 20 as DuckDBTypeId.TIMESTAMP_S,
  TIMESTAMP_MS: 21 as DuckDBTypeId.TIMESTAMP_MS,
  TIMESTAMP_NS: 22 as DuckDBTypeId.TIMESTAMP_NS,
  ENUM: 23 as DuckDBTypeId.ENUM,
  LIST: 24 as DuckDBTypeId.LIST,
  STRUCT: 25 as DuckDBTypeId.STRUCT,
  MAP: 26 as DuckDBTypeId.MAP,
  UUID: 27 as DuckDBTypeId.UUID,
  UNION: 28 as DuckDBTypeId.UNION,
  BIT: 29 as DuckDBTypeId.BIT,
  TIME_TZ: 30 as DuckDBTypeId.TIME_TZ,
  TIMESTAMP_TZ: 31 as DuckDBTypeId.TIMESTAMP_TZ,
  UHUGEINT: 32 as DuckDBTypeId.UHUGEINT,
  ARRAY: 33 as DuckDBTypeId.ARRAY,
  BIGNUM: 35 as DuckDBTypeId.BIGNUM,
  SQLNULL: 36 as DuckDBTypeId.SQLNULL,
  TIME_NS: 39 as DuckDBTypeId.TIME_NS,
  GEOMETRY: 40 as DuckDBTypeId.GEOMETRY,
} as const;

/** Bytes per value of DuckDB's physical storage for DECIMAL(width, _). */
export function decimalStorageWidth(width: number): 2 | 4 | 8 | 16 {
  return width <= 4 ? 2 : width <= 9 ? 4 : width <= 18 ? 8 : 16;
}

/** Bytes per value of DuckDB's physical storage for an ENUM with `count` members. */
export function enumStorageWidth(internalTypeId: number, count: number): 1 | 2 | 4 {
  if (internalTypeId === TypeId.UTINYINT) return 1;
  if (internalTypeId === TypeId.USMALLINT) return 2;
  if (internalTypeId === TypeId.UINTEGER) return 4;
  return count <= 0xff ? 1 : count <= 0xffff ? 2 : 4;
}

/** Smallest signed index type that holds every index of a dictionary of `count` values. */
export function dictionaryIndexType(count: number): Int8 | Int16 | Int32 {
  return count <= 0x80 ? new Int8() : count <= 0x8000 ? new Int16() : new Int32();
}

const EXTENSION_NAME = 'ARROW:extension:name';

/** The Arrow field for a DuckDB column (or nested member) of type `t`; always nullable. */
export function arrowFieldFor(name: string, t: DuckDBType): Field {
  let metadata: Map<string, string> | undefined;
  if (t.typeId === TypeId.VARCHAR && t.alias?.toUpperCase() === 'JSON') {
    metadata = new Map([[EXTENSION_NAME, 'arrow.json']]);
  } else if (t.typeId === TypeId.GEOMETRY) {
    metadata = new Map([[EXTENSION_NAME, 'geoarrow.wkb']]);
  }
  return new Field(name, arrowTypeFor(t), true, metadata);
}

/** The Arrow type a DuckDB type is streamed as (see the table at the top of this file). */
export function arrowTypeFor(t: DuckDBType): DataType {
  switch (t.typeId) {
    case TypeId.BOOLEAN:
      return new Bool();
    case TypeId.TINYINT:
      return new Int8();
    case TypeId.SMALLINT:
      return new Int16();
    case TypeId.INTEGER:
      return new Int32();
    case TypeId.BIGINT:
      return new Int64();
    case TypeId.UTINYINT:
      return new Uint8();
    case TypeId.USMALLINT:
      return new Uint16();
    case TypeId.UINTEGER:
      return new Uint32();
    case TypeId.UBIGINT:
      return new Uint64();
    case TypeId.HUGEINT:
      return new Decimal(0, 38, 128);
    case TypeId.FLOAT:
      return new Float32();
    case TypeId.DOUBLE:
      return new Float64();
    case TypeId.DECIMAL:
      return new Decimal(t.scale, t.width, 128);
    case TypeId.BLOB:
    case TypeId.GEOMETRY:
      return new Binary();
    case TypeId.DATE:
      return new DateDay();
    case TypeId.TIME:
    case TypeId.TIME_TZ:
      return new TimeMicrosecond();
    case TypeId.TIME_NS:
      return new TimeNanosecond();
    case TypeId.TIMESTAMP:
      return new TimestampMicrosecond();
    case TypeId.TIMESTAMP_S:
      return new TimestampSecond();
    case TypeId.TIMESTAMP_MS:
      return new TimestampMillisecond();
    case TypeId.TIMESTAMP_NS:
      return new TimestampNanosecond();
    case TypeId.TIMESTAMP_TZ:
      return new TimestampMicrosecond('UTC');
    case TypeId.INTERVAL:
      return new IntervalMonthDayNano();
    case TypeId.ENUM:
      return new Dictionary(new Utf8(), dictionaryIndexType(t.values.length));
    case TypeId.LIST:
      return new List(arrowFieldFor('item', t.valueType));
    case TypeId.ARRAY:
      return new FixedSizeList(t.length, arrowFieldFor('item', t.valueType));
    case TypeId.STRUCT:
      return new Struct(t.entryNames.map((name, i) => arrowFieldFor(name, t.entryTypes[i])));
    case TypeId.MAP: {
      const key = arrowFieldFor('key', t.keyType);
      const entries = new Struct([
        new Field('key', key.type, false, key.metadata),
        arrowFieldFor('value', t.valueType),
      ]);
      return new Map_(new Field('entries', entries, false));
    }
    case TypeId.UNION:
      return new SparseUnion(
        t.memberTypes.map((_, i) => i),
        t.memberTags.map((tag, i) => arrowFieldFor(tag, t.memberTypes[i])),
      );
    case TypeId.SQLNULL:
      return new Null();
    default:
      // VARCHAR, UUID, UHUGEINT, BIT, BIGNUM and every type without a better mapping.
      return new Utf8();
  }
}
