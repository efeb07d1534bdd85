/**
 * The pure parts of DataFrameClient: the MessagePack decoder of InfluxDB answers, Python's
 * float and str spelling (for tag values), and frames built from series.
 */
import pl from 'nodejs-polars';
import { ProtocolError } from '../../../src/errors';
import { pythonFloat, pythonStr } from '../../../src/influx/framePoints';
import { DataFrames, StatementFrames, vectorOf } from '../../../src/influx/frames';
import { InfluxTime, decodeAll } from '../../../src/influx/msgpack';

const bytes = (...parts: (number | number[])[]) => Buffer.from(parts.flat());

describe('MessagePack', () => {
  test('every form InfluxDB uses: maps, arrays, strings, integers as bigint, floats as number, times', () => {
    const doc = bytes(
      0x84, // map of 4
      [0xa1, 0x61],
      0x93,
      0x01,
      0xff,
      0xcb,
      [0x3f, 0xf0, 0, 0, 0, 0, 0, 0], // a: [1, -1, 1.0]
      [0xa1, 0x62],
      0xd3,
      [0x80, 0, 0, 0, 0, 0, 0, 0], // b: int64 min
      [0xa1, 0x63],
      0xcf,
      [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // c: uint64 max
      // d: InfluxDB's time (ext 5): -1 s + 5 ns
      [0xa1, 0x64],
      0xc7,
      12,
      5,
      [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      [0, 0, 0, 5],
    );
    const [value] = decodeAll(
      Buffer.concat([doc, bytes(0xc0, 0xc3, 0xca, [0x3f, 0xc0, 0, 0], 0xd9, 2, 0xc3, 0xa9)]),
    );
    expect(value).toEqual({
      a: [1n, -1n, 1],
      b: -(2n ** 63n),
      c: 2n ** 64n - 1n,
      d: new InfluxTime(-999_999_995n),
    });
    expect(decodeAll(bytes(0xc0, 0xc3, 0xca, [0x3f, 0xc0, 0, 0], 0xd9, 2, 0xc3, 0xa9))).toEqual([
      null,
      true,
      1.5,
      'é',
    ]);
    expect(Object.getPrototypeOf(value)).toBeNull();
  });

  test.each<[string, Buffer, string]>([
    ['a truncated string', bytes(0xa5, 0x61), 'truncated'],
    ['a truncated integer', bytes(0xd3, 1, 2), 'truncated'],
    ['an array longer than the bytes', bytes(0xdd, [0xff, 0xff, 0xff, 0xff]), 'truncated'],
    ['a map with a number key', bytes(0x81, 0x01, 0x01), 'key is not a string'],
    ['the unused byte', bytes(0xc1), 'invalid MessagePack byte 0xc1'],
    ['an unknown extension', bytes(0xd4, 9, 0), 'extension type 9'],
    [
      'nanoseconds beyond a second',
      bytes(0xc7, 12, 5, [0, 0, 0, 0, 0, 0, 0, 0], [0x3b, 0x9a, 0xca, 0x00]),
      'invalid time',
    ],
    ['nesting beyond 64', Buffer.from(new Array(100).fill(0x91)), 'nested too deeply'],
  ])('%s is a ProtocolError', (_name, buf, message) => {
    expect(() => decodeAll(buf)).toThrow(ProtocolError);
    expect(() => decodeAll(buf)).toThrow(message);
  });
});

test("Python's repr of floats (checked against CPython 3.11) and str of other values", () => {
  const cases: [number, string][] = [
    [0, '0.0'],
    [-0, '-0.0'],
    [1, '1.0'],
    [-1.5, '-1.5'],
    [0.1, '0.1'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [1234567890123456, '1234567890123456.0'],
    [12345678901234568, '1.2345678901234568e+16'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-5, '1.5e-05'],
    [123.456, '123.456'],
    [1e22, '1e+22'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [0.30000000000000004, '0.30000000000000004'],
    [Number.NaN, 'nan'],
    [-Infinity, '-inf'],
  ];
  expect(cases.map(([x]) => pythonFloat(x))).toEqual(cases.map(([, text]) => text));
  expect([pythonStr(2), pythonStr(2.5), pythonStr(true), pythonStr(7n), pythonStr('x')]).toEqual([
    '2',
    '2.5',
    'True',
    '7',
    'x',
  ]);
});

test('columns are typed from their values as pandas types them, except that nulls keep integers integers', () => {
  const type = (values: Parameters<typeof vectorOf>[0]) => String(vectorOf(values).type);
  expect(type([1n, null, 3n])).toBe('Int64');
  expect(type([2n ** 63n, null])).toBe('Uint64');
  expect(type([2n ** 63n, -1n])).toBe('Utf8');
  expect(type([1n, 2.5])).toBe('Float64');
  expect(type([true, null])).toBe('Bool');
  expect(type([null, null])).toBe('Null');
  expect(type(['a', 1n])).toBe('Utf8');
  expect([...vectorOf(['a', 1n, 1.5, true])]).toEqual(['a', '1', '1.5', 'true']);
});

test('series chunks are joined per key, sorted by time, and all-null columns dropped', () => {
  const frames = new StatementFrames();
  frames.add({ name: 'm', tags: { host: 'a' }, columns: ['time', 'v', 'w'], values: [[3n, 1.5, null]] });
  frames.add({ name: 'm', tags: { host: 'b' }, columns: ['time', 'v', 'w'], values: [[1n, 2.5, null]] });
  frames.add({ name: 'm', tags: { host: 'a' }, columns: ['time', 'v', 'w'], values: [[1n, 0.5, null]] });
  const built: DataFrames = frames.build(1_000n, true);
  expect([...built.keys()]).toEqual(['m,host=a', 'm,host=b']);
  const a = built.get('m', { host: 'a' })!;
  expect(a.columns).toEqual(['time', 'v']);
  expect(a.getColumn('v').toArray()).toEqual([0.5, 1.5]);
  const time = a.select(pl.col('time').cast(pl.Int64).cast(pl.Utf8)).getColumn('time').toArray();
  expect(time).toEqual(['1000', '3000']);
  expect(String(a.getColumn('time').dtype)).toBe('DataType(Datetime(ns,UTC))');
  const kept = frames.build(1_000n, false);
  expect(kept.get('m,host=b')!.columns).toEqual(['time', 'v', 'w']);
  expect(built.get('m')).toBeUndefined();
  expect(built.get('m', null)).toBeUndefined();
});

test('a malformed series is a ProtocolError', () => {
  const frames = new StatementFrames();
  expect(() => frames.add({ name: 'm' } as never)).toThrow(ProtocolError);
  expect(() => frames.add({ name: 'm', columns: ['time'], values: [1n] } as never)).toThrow('not rows');
  frames.add({ name: 'm', columns: ['time'], values: [['not a time']] });
  expect(() => frames.build(1n, true)).toThrow(ProtocolError);
});
