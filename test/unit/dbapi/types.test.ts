import {
  Binary as ArrowBinary,
  Decimal,
  Dictionary,
  Field,
  Float32,
  Int32,
  Int64,
  Int8,
  Schema,
  TimestampNanosecond,
  TimeMicrosecond,
  Utf8,
  DateDay,
  Bool,
  List,
  FixedSizeBinary,
} from 'apache-arrow';
import {
  BINARY,
  Binary,
  DATETIME,
  Date as SqlDateOf,
  DateFromTicks,
  NUMBER,
  ROWID,
  STRING,
  SqlDate,
  SqlTime,
  Time,
  TimeFromTicks,
  Timestamp,
  TimestampFromTicks,
  InterfaceError,
} from '../../../src';
import { describe as describeSchema } from '../../../src/dbapi';

describe('type objects', () => {
  test('match the Arrow types of their group, dictionary columns by value type', () => {
    expect(STRING.equals(new Utf8())).toBe(true);
    expect(STRING.equals(new Dictionary(new Utf8(), new Int32()))).toBe(true);
    expect(STRING.equals(new Int32())).toBe(false);
    expect(NUMBER.equals(new Int64())).toBe(true);
    expect(NUMBER.equals(new Float32())).toBe(true);
    expect(NUMBER.equals(new Decimal(2, 10, 128))).toBe(true);
    expect(NUMBER.equals(new Utf8())).toBe(false);
    expect(BINARY.equals(new ArrowBinary())).toBe(true);
    expect(BINARY.equals(new FixedSizeBinary(16))).toBe(true);
    expect(DATETIME.equals(new TimestampNanosecond())).toBe(true);
    expect(DATETIME.equals(new DateDay())).toBe(true);
    expect(DATETIME.equals(new TimeMicrosecond())).toBe(true);
    expect(ROWID.equals(new Int64())).toBe(false);
    expect(STRING.equals(null)).toBe(false);
    expect(String(STRING)).toBe('STRING');
  });
});

describe('describe(): PEP 249 7-tuples', () => {
  test('name, type code, sizes, precision/scale, null_ok', () => {
    const precise = new Field('p', new Int32(), true, new Map([['ARROW:FLIGHT:SQL:PRECISION', '10']]));
    const schema = new Schema([
      new Field('i', new Int8(), false),
      new Field('d', new Decimal(3, 12, 128), true),
      new Field('s', new Utf8(), true),
      new Field('t', new TimestampNanosecond(), true),
      new Field('b', new Bool(), true),
      new Field('l', new List(new Field('item', new Int32())), true),
      new Field('day', new DateDay(), true),
      precise,
    ]);
    const d = describeSchema(schema);
    expect(d[0]).toEqual(['i', schema.fields[0]!.type, null, 1, null, null, false]);
    expect(d[1]!.slice(2)).toEqual([null, 16, 12, 3, true]);
    expect(d[2]!.slice(2)).toEqual([null, null, null, null, true]);
    expect(d[3]![3]).toBe(8);
    expect(d[4]![3]).toBe(1);
    expect(d[5]![3]).toBeNull();
    expect(d[6]![3]).toBe(4);
    expect(d[7]![4]).toBe(10);
  });
});

describe('constructors', () => {
  test('Date is a calendar date at UTC midnight; month counts from 1; invalid dates refused', () => {
    const d = SqlDateOf(2024, 2, 29);
    expect(d).toBeInstanceOf(SqlDate);
    expect(d).toBeInstanceOf(globalThis.Date);
    expect(d.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(String(d)).toBe('2024-02-29');
    expect(JSON.stringify({ d })).toBe('{"d":"2024-02-29"}');
    expect(SqlDateOf(33, 1, 1).getUTCFullYear()).toBe(33);
    expect(() => SqlDateOf(2023, 2, 29)).toThrow(InterfaceError);
    expect(DateFromTicks(0).toString()).toBe('1970-01-01');
    expect(DateFromTicks(-1).toString()).toBe('1969-12-31');
  });

  test('Time keeps nanoseconds and prints like the values module reads times', () => {
    expect(String(Time(13, 45, 30))).toBe('13:45:30');
    expect(String(Time(0, 0, 0, 1500))).toBe('00:00:00.000001500');
    expect(String(Time(23, 59, 59, 123_000_000))).toBe('23:59:59.123');
    expect(SqlTime.parse('07:08:09.5').nanoseconds).toBe(25_689_500_000_000n);
    expect(() => Time(24, 0)).toThrow(InterfaceError);
    expect(() => SqlTime.parse('7 o clock')).toThrow(InterfaceError);
    expect(String(TimeFromTicks(86_400 + 3661.25))).toBe('01:01:01.250');
  });

  test('Timestamp and TimestampFromTicks are UTC instants', () => {
    expect(Timestamp(2002, 12, 25, 13, 45, 30, 500).toISOString()).toBe('2002-12-25T13:45:30.500Z');
    expect(TimestampFromTicks(1.5).getTime()).toBe(1500);
  });

  test('Binary makes bytes from text, buffers and arrays (copies, never views)', () => {
    expect(Binary('hé')).toEqual(new Uint8Array([104, 0xc3, 0xa9]));
    expect(Binary([1, 2])).toEqual(new Uint8Array([1, 2]));
    const source = new Uint8Array([9, 8, 7]);
    const copy = Binary(source.subarray(1));
    source[1] = 0;
    expect(copy).toEqual(new Uint8Array([8, 7]));
    expect(Binary('')).toHaveLength(0);
  });
});
