/**
 * Result columns as PointValues: InfluxDB 3's `iox::column::type` metadata decides what each
 * column is; without it, names and Arrow types do. Values stay exact (int64 as bigint, time in
 * nanoseconds); the typed getters refuse the wrong type.
 */
import {
  Bool,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  TimestampNanosecond,
  Uint64,
  Utf8,
  makeData,
  vectorFromArray,
  type DataType,
} from 'apache-arrow';
import { PointValues, ProgrammingError } from '../../../src/influx';
import { IOX_COLUMN_TYPE, PointsReader, roleOf } from '../../../src/influx/pointsOfBatch';

const iox = (kind: string) => new Map([[IOX_COLUMN_TYPE, `iox::column_type::${kind}`]]);

function batchOf(columns: [Field, unknown[]][]): RecordBatch {
  const schema = new Schema(columns.map(([f]) => f));
  // apache-arrow's builders take timestamps in milliseconds: nanoseconds go in as they are.
  const children = columns.map(([f, values]) =>
    f.type instanceof TimestampNanosecond
      ? makeData({ type: f.type, length: values.length, data: BigInt64Array.from(values as bigint[]) })
      : vectorFromArray(values, f.type as DataType).data[0]!,
  );
  const data = makeData({ type: new Struct(schema.fields), length: columns[0]![1].length, children });
  return new RecordBatch(schema, data);
}

const T = 1_767_225_600_123_456_789n;
const dict = () => new Dictionary(new Utf8(), new Int32());

test('with iox metadata (as InfluxDB 3 sends): tags, typed fields, exact time', () => {
  const batch = batchOf([
    [new Field('host', dict(), true, iox('tag')), ['a', null]],
    [new Field('note', new Utf8(), true, iox('field::string')), ['x', 'y']],
    [new Field('count', new Int64(), true, iox('field::integer')), [9_223_372_036_854_775_807n, -1n]],
    [new Field('big', new Uint64(), true, iox('field::uinteger')), [18_446_744_073_709_551_615n, null]],
    [new Field('temp', new Float64(), true, iox('field::float')), [21.5, null]],
    [new Field('on', new Bool(), true, iox('field::boolean')), [true, false]],
    [new Field('time', new TimestampNanosecond(), false, iox('timestamp')), [T, T + 1n]],
  ]);
  const [p, q] = new PointsReader(batch.schema).points(batch) as [PointValues, PointValues];
  expect(p.getMeasurement()).toBeUndefined();
  expect(p.getTagNames()).toEqual(['host']);
  expect(p.getTag('host')).toBe('a');
  expect(p.getFieldNames()).toEqual(['note', 'count', 'big', 'temp', 'on']);
  expect(p.getIntegerField('count')).toBe(9_223_372_036_854_775_807n);
  expect(p.getUintegerField('big')).toBe(18_446_744_073_709_551_615n);
  expect(p.getFloatField('temp')).toBe(21.5);
  expect(p.getStringField('note')).toBe('x');
  expect(p.getBooleanField('on')).toBe(true);
  expect(p.getTimestamp()).toBe(T);
  expect(p.getTimestampDate()).toEqual(new Date(1_767_225_600_123));
  expect(p.getFieldType('count')).toBe('integer');
  // Nulls are left out, as the official client does.
  expect([q.getTag('host'), q.getField('big'), q.getField('temp'), q.getTagNames()]).toEqual([
    undefined,
    undefined,
    undefined,
    [],
  ]);
  expect(q.getBooleanField('on')).toBe(false);
  expect(q.getTimestamp()).toBe(T + 1n);
});

test('the typed getters refuse another type (the official GetFieldTypeMissmatchError)', () => {
  const batch = batchOf([[new Field('count', new Int64(), true, iox('field::integer')), [1n]]]);
  const [p] = new PointsReader(batch.schema).points(batch) as [PointValues];
  expect(() => p.getFloatField('count')).toThrow(ProgrammingError);
  expect(() => p.getFloatField('count')).toThrow('field "count" is of type integer, not float');
  expect(p.getField('count')).toBe(1n);
  expect(p.getField('missing', 'float')).toBeUndefined();
  expect(p.hasFields()).toBe(true);
});

test('without metadata: measurement column, `time`, tagColumns and dictionaries are tags, Arrow types type fields', () => {
  const batch = batchOf([
    [new Field('iox::measurement', new Utf8()), ['cpu']],
    [new Field('time', new TimestampNanosecond()), [T]],
    [new Field('region', dict()), ['eu']],
    [new Field('host', new Utf8()), ['h1']],
    [new Field('usage', new Float64()), [0.5]],
    [new Field('n', new Int32()), [7]],
    [new Field('label', new Utf8()), ['free text']],
  ]);
  const [p] = new PointsReader(batch.schema, ['host']).points(batch) as [PointValues];
  expect(p.getMeasurement()).toBe('cpu');
  expect(p.getTimestamp()).toBe(T);
  expect(Object.fromEntries(p.getTagNames().map((t) => [t, p.getTag(t)]))).toEqual({
    region: 'eu',
    host: 'h1',
  });
  expect(p.getFieldNames().map((f) => [f, p.getFieldType(f), p.getField(f)])).toEqual([
    ['usage', 'float', 0.5],
    ['n', 'integer', 7n],
    ['label', 'string', 'free text'],
  ]);
  // A column named `time` that is no timestamp is a field.
  expect(roleOf(new Field('time', new Utf8()), new Set())).toEqual({ kind: 'field', type: 'string' });
});

test('asPoint() writes the values back as they were read', () => {
  const batch = batchOf([
    [new Field('host', dict(), true, iox('tag')), ['a b']],
    [new Field('count', new Int64(), true, iox('field::integer')), [-9_223_372_036_854_775_808n]],
    [new Field('big', new Uint64(), true, iox('field::uinteger')), [18_446_744_073_709_551_615n]],
    [new Field('s', new Utf8(), true, iox('field::string')), ['say "hi"']],
    [new Field('time', new TimestampNanosecond(), false, iox('timestamp')), [T]],
  ]);
  const [p] = new PointsReader(batch.schema).points(batch) as [PointValues];
  expect(() => p.asPoint()).toThrow('asPoint(): the values have no measurement: pass one');
  expect(p.asPoint('m').toLineProtocol()).toBe(
    `m,host=a\\ b count=-9223372036854775808i,big=18446744073709551615u,s="say \\"hi\\"" ${T}`,
  );
});
