import type { DuckDBConnection, DuckDBInstance, DuckDBResult } from '@duckdb/node-api';
import { RecordBatch, Table, Vector, tableFromIPC, tableToIPC, type Schema } from 'apache-arrow';
import { arrowSchemaFor, recordBatchesFrom } from '../../../src/server/duckdb/recordBatches';

let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  const api = await import('@duckdb/node-api');
  instance = await api.DuckDBInstance.create(':memory:');
  conn = await instance.connect();
});

afterAll(() => {
  conn?.closeSync();
  instance?.closeSync();
});

/** Plain JS form of an Arrow value (nested vectors and rows included), for comparisons. */
function norm(v: any): any {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(norm);
  if (v instanceof Vector) return [...v].map(norm);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (typeof v === 'object' && typeof v.toJSON === 'function') {
    return Object.fromEntries(Object.entries(v.toJSON()).map(([k, x]) => [k, norm(x)]));
  }
  return v;
}

/** A 128-bit little-endian two's complement Arrow decimal, as a bigint. */
function int128(words: Uint32Array | null): bigint | null {
  if (words === null) return null;
  let v = 0n;
  for (let i = 3; i >= 0; i--) v = (v << 32n) | BigInt(words[i]);
  return BigInt.asIntN(128, v);
}

interface Collected {
  schema: Schema;
  batches: RecordBatch[];
  table: Table;
}

/** Streams `sql` through recordBatchesFrom, checking every batch survives an IPC round trip. */
async function collect(
  sqlOrResult: string | DuckDBResult,
  options?: Parameters<typeof recordBatchesFrom>[2],
): Promise<Collected> {
  const result = typeof sqlOrResult === 'string' ? await conn.stream(sqlOrResult) : sqlOrResult;
  const schema = arrowSchemaFor(result);
  const batches: RecordBatch[] = [];
  for await (const batch of recordBatchesFrom(result, schema, options)) {
    expect(batch.schema.fields.map((f) => f.type)).toEqual(schema.fields.map((f) => f.type));
    const back = tableFromIPC(tableToIPC(new Table([batch])));
    expect(back.numRows).toBe(batch.numRows);
    expect(back.schema.fields.map((f) => String(f.type))).toEqual(schema.fields.map((f) => String(f.type)));
    expect(norm(back.toArray())).toEqual(norm(batch.toArray()));
    batches.push(batch);
  }
  return { schema, batches, table: new Table(schema, batches) };
}

/** Column `name` of the collected rows, each value normalised. */
function column(c: Collected, name: string): unknown[] {
  const vec = c.table.getChild(name);
  if (!vec) throw new Error(`no column ${name}`);
  return [...vec].map(norm);
}

/** Values of `type` in rows: e0, NULL, e1 (column `v`, ordered). */
function threeRows(type: string, e0: string, e1: string): string {
  return `SELECT v FROM (SELECT 0 i, (${e0})::${type} v UNION ALL SELECT 1, NULL::${type} UNION ALL SELECT 2, (${e1})::${type}) ORDER BY i`;
}

async function values(
  type: string,
  e0: string,
  e1: string,
): Promise<{ c: Collected; type: string; raw: unknown[] }> {
  const c = await collect(threeRows(type, e0, e1));
  expect(c.table.numRows).toBe(3);
  const vec = c.table.getChild('v')!;
  expect(vec.isValid(1)).toBe(false);
  expect(vec.nullCount).toBe(1);
  return { c, type: String(c.schema.fields[0].type), raw: [...vec] };
}

describe('arrowSchemaFor', () => {
  it('names every column, all nullable', async () => {
    const result = await conn.stream(`SELECT 1::INTEGER a, 'x' "b c", [1]::INTEGER[] l`);
    const schema = arrowSchemaFor(result);
    expect(schema.fields.map((f) => f.name)).toEqual(['a', 'b c', 'l']);
    expect(schema.fields.every((f) => f.nullable)).toBe(true);
    expect(schema.fields.map((f) => String(f.type))).toEqual(['Int32', 'Utf8', 'List<Int32>']);
  });
});

describe('recordBatchesFrom: scalar types (value, NULL, value)', () => {
  it('BOOLEAN', async () => {
    const { type, raw } = await values('BOOLEAN', 'true', 'false');
    expect(type).toBe('Bool');
    expect(raw).toEqual([true, null, false]);
  });

  it.each([
    ['TINYINT', 'Int8', -128, 127],
    ['SMALLINT', 'Int16', -32768, 32767],
    ['INTEGER', 'Int32', -2147483648, 2147483647],
    ['UTINYINT', 'Uint8', 0, 255],
    ['USMALLINT', 'Uint16', 0, 65535],
    ['UINTEGER', 'Uint32', 0, 4294967295],
  ])('%s extremes', async (sqlType, arrowType, lo, hi) => {
    const { type, raw } = await values(sqlType, String(lo), String(hi));
    expect(type).toBe(arrowType);
    expect(raw).toEqual([lo, null, hi]);
  });

  it('BIGINT / UBIGINT extremes', async () => {
    const s = await values('BIGINT', '-9223372036854775808', '9223372036854775807');
    expect(s.type).toBe('Int64');
    expect(s.raw).toEqual([-9223372036854775808n, null, 9223372036854775807n]);
    const u = await values('UBIGINT', '0', '18446744073709551615');
    expect(u.type).toBe('Uint64');
    expect(u.raw).toEqual([0n, null, 18446744073709551615n]);
  });

  it('HUGEINT extremes -> Decimal(38, 0) 128-bit', async () => {
    const max = (1n << 127n) - 1n;
    const { type, raw } = await values('HUGEINT', `${-max - 1n}`, `${max}`);
    expect(type).toBe('Decimal[38e0]');
    expect(raw.map((v) => int128(v as Uint32Array | null))).toEqual([-max - 1n, null, max]);
  });

  it('UHUGEINT extremes -> Utf8 decimal text', async () => {
    const max = (1n << 128n) - 1n;
    const { type, raw } = await values('UHUGEINT', '0', `${max}`);
    expect(type).toBe('Utf8');
    expect(raw).toEqual(['0', null, max.toString()]);
  });

  it('FLOAT / DOUBLE', async () => {
    const f = await values('FLOAT', '-1.5', `'inf'`);
    expect(f.type).toBe('Float32');
    expect(f.raw).toEqual([-1.5, null, Infinity]);
    const d = await values('DOUBLE', '-1.25e300', `'nan'`);
    expect(d.type).toBe('Float64');
    expect(d.raw[0]).toBe(-1.25e300);
    expect(Number.isNaN(d.raw[2])).toBe(true);
  });

  it.each([
    [4, 1, '-123.4', '999.9', [-1234n, 9999n]],
    [9, 3, '-123456.789', '0.001', [-123456789n, 1n]],
    [18, 2, '-1234567890123456.78', '9999999999999999.99', [-123456789012345678n, 999999999999999999n]],
    [
      38,
      5,
      '-123456789012345678901234567890123.45678',
      '999999999999999999999999999999999.99999',
      [-12345678901234567890123456789012345678n, 99999999999999999999999999999999999999n],
    ],
  ])('DECIMAL(%i, %i) with negatives', async (w, s, e0, e1, expected) => {
    const { type, raw } = await values(`DECIMAL(${w}, ${s})`, e0, e1);
    expect(type).toBe(`Decimal[${w}e+${s}]`);
    expect(raw.map((v) => int128(v as Uint32Array | null))).toEqual([expected[0], null, expected[1]]);
  });

  it('VARCHAR: inline, out-of-line, empty, unicode', async () => {
    const long = 'a string that is longer than twelve bytes ✓';
    const { type, raw } = await values('VARCHAR', `'${long}'`, `''`);
    expect(type).toBe('Utf8');
    expect(raw).toEqual([long, null, '']);
    const short = await values('VARCHAR', `'héllo'`, `'123456789012'`);
    expect(short.raw).toEqual(['héllo', null, '123456789012']);
  });

  it('JSON -> Utf8 (arrow.json extension metadata)', async () => {
    const { c, type, raw } = await values('JSON', `'{"a": [1, 2]}'`, `'null'`);
    expect(type).toBe('Utf8');
    expect(raw).toEqual(['{"a": [1, 2]}', null, 'null']);
    expect(c.schema.fields[0].metadata.get('ARROW:extension:name')).toBe('arrow.json');
  });

  it('BLOB -> Binary', async () => {
    const { type, raw } = await values('BLOB', `'\\x00\\xFFab'::BLOB`, `'0123456789abcdefghij'::BLOB`);
    expect(type).toBe('Binary');
    expect(norm(raw[0])).toEqual([0, 255, 97, 98]);
    expect(raw[1]).toBeNull();
    expect(Buffer.from(raw[2] as Uint8Array).toString()).toBe('0123456789abcdefghij');
  });

  it('BIT -> Utf8 bit text', async () => {
    const { type, raw } = await values('BIT', `'101'`, `'0000000011111111000'`);
    expect(type).toBe('Utf8');
    expect(raw).toEqual(['101', null, '0000000011111111000']);
  });

  it('DATE -> DateDay', async () => {
    const { c, type, raw } = await values('DATE', `'2024-01-02'`, `'1969-12-31'`);
    expect(type).toBe('Date32<DAY>');
    expect(raw).toEqual([Date.UTC(2024, 0, 2), null, Date.UTC(1969, 11, 31)]);
    const days = c.table.getChild('v')!.data[0].values as Int32Array;
    expect([days[0], days[2]]).toEqual([19724, -1]);
  });

  it('TIME / TIME_NS', async () => {
    const t = await values('TIME', `'12:34:56.123456'`, `'00:00:00'`);
    expect(t.type).toBe('Time64<MICROSECOND>');
    expect(t.raw).toEqual([45296123456n, null, 0n]);
    const ns = await values('TIME_NS', `'12:34:56.123456789'`, `'23:59:59.999999999'`);
    expect(ns.type).toBe('Time64<NANOSECOND>');
    expect(ns.raw).toEqual([45296123456789n, null, 86399999999999n]);
  });

  it('TIME WITH TIME ZONE -> TimeMicrosecond normalised to UTC', async () => {
    const { type, raw } = await values('TIMETZ', `'12:00:00+01'`, `'01:30:00.5-03:30'`);
    expect(type).toBe('Time64<MICROSECOND>');
    expect(raw).toEqual([11n * 3600n * 1_000_000n, null, 5n * 3600n * 1_000_000n + 500_000n]);
    const wrap = await values('TIMETZ', `'00:30:00+02'`, `'23:00:00-02'`);
    expect(wrap.raw).toEqual([22n * 3600n * 1_000_000n + 1_800_000_000n, null, 3600n * 1_000_000n]);
  });

  it.each([
    ['TIMESTAMP', 'Timestamp<MICROSECOND>', 1704164645123456n],
    ['TIMESTAMP_S', 'Timestamp<SECOND>', 1704164645n],
    ['TIMESTAMP_MS', 'Timestamp<MILLISECOND>', 1704164645123n],
    ['TIMESTAMP_NS', 'Timestamp<NANOSECOND>', 1704164645123456789n],
    ['TIMESTAMPTZ', 'Timestamp<MICROSECOND, UTC>', 1704164645123456n],
  ])('%s', async (sqlType, arrowType, expected) => {
    const ts =
      sqlType === 'TIMESTAMPTZ' ? `'2024-01-02 03:04:05.123456789+00'` : `'2024-01-02 03:04:05.123456789'`;
    const { c, type } = await values(sqlType, ts, `'1969-12-31 23:59:59'`);
    expect(type).toBe(arrowType);
    const units = { TIMESTAMP_S: 1n, TIMESTAMP_MS: 1000n, TIMESTAMP_NS: 1_000_000_000n } as Record<
      string,
      bigint
    >;
    const perSecond = units[sqlType] ?? 1_000_000n;
    const data = c.table.getChild('v')!.data[0];
    expect(data.values[0]).toBe(expected);
    expect(data.values[2]).toBe(-perSecond);
  });

  it('INTERVAL -> Interval(MONTH_DAY_NANO)', async () => {
    const { type, raw } = await values(
      'INTERVAL',
      `INTERVAL 14 MONTH + INTERVAL 3 DAY + INTERVAL 5 SECOND + INTERVAL 7 MICROSECOND`,
      `-(INTERVAL 1 DAY + INTERVAL 1 HOUR)`,
    );
    expect(type).toBe('Interval<MONTH_DAY_NANO>');
    const decode = (v: unknown) => {
      if (v === null) return null;
      const a = v as Int32Array;
      const nanos = new BigInt64Array(a.buffer, a.byteOffset + 8, 1)[0];
      return [a[0], a[1], nanos];
    };
    expect(raw.map(decode)).toEqual([[14, 3, 5_000_007_000n], null, [0, -1, -3_600_000_000_000n]]);
  });

  it('UUID -> Utf8 canonical text', async () => {
    const { type, raw } = await values(
      'UUID',
      `'12345678-9abc-def0-1234-56789abcdef0'`,
      `'ffffffff-0000-0000-0000-000000000001'`,
    );
    expect(type).toBe('Utf8');
    expect(raw).toEqual([
      '12345678-9abc-def0-1234-56789abcdef0',
      null,
      'ffffffff-0000-0000-0000-000000000001',
    ]);
    const low = await values(
      'UUID',
      `'00000000-0000-0000-0000-000000000000'`,
      `'7fffffff-ffff-ffff-ffff-ffffffffffff'`,
    );
    expect(low.raw).toEqual([
      '00000000-0000-0000-0000-000000000000',
      null,
      '7fffffff-ffff-ffff-ffff-ffffffffffff',
    ]);
  });

  it('ENUM -> Dictionary<Utf8, Int8> with one dictionary per result', async () => {
    const { c, type, raw } = await values(`ENUM('red', 'green', 'blue')`, `'blue'`, `'red'`);
    expect(type).toBe('Dictionary<Int8, Utf8>');
    expect(raw).toEqual(['blue', null, 'red']);
    const dictionary = c.table.getChild('v')!.data[0].dictionary!;
    expect([...dictionary]).toEqual(['red', 'green', 'blue']);
  });

  it('ENUM with 200 and 40,000 members widens the index type', async () => {
    const e200 = await collect(
      `SELECT ('v' || (i * 7 % 200))::ENUM(${Array.from({ length: 200 }, (_, i) => `'v${i}'`).join(',')}) v FROM range(300) t(i)`,
    );
    expect(String(e200.schema.fields[0].type)).toBe('Dictionary<Int16, Utf8>');
    expect(column(e200, 'v')).toEqual(Array.from({ length: 300 }, (_, i) => `v${(i * 7) % 200}`));

    await conn.run(`CREATE TYPE big_enum AS ENUM (SELECT 'm' || i FROM range(40000) t(i))`);
    const big = await collect(
      `SELECT CASE WHEN i % 5 = 0 THEN NULL ELSE ('m' || (i * 13 % 40000))::big_enum END v FROM range(3000) t(i)`,
    );
    expect(String(big.schema.fields[0].type)).toBe('Dictionary<Int32, Utf8>');
    expect(column(big, 'v')).toEqual(
      Array.from({ length: 3000 }, (_, i) => (i % 5 === 0 ? null : `m${(i * 13) % 40000}`)),
    );
  });

  it('VARINT / BIGNUM -> Utf8 decimal text', async () => {
    const big = '-123456789012345678901234567890123456789012345678901234567890';
    const { type, raw } = await values('VARINT', `'${big}'`, `'42'`);
    expect(type).toBe('Utf8');
    expect(raw).toEqual([big, null, '42']);
  });

  it('GEOMETRY -> Binary WKB', async () => {
    const { c, type, raw } = await values('GEOMETRY', `'POINT(1 2)'`, `'POINT(3 4)'`);
    expect(type).toBe('Binary');
    expect(c.schema.fields[0].metadata.get('ARROW:extension:name')).toBe('geoarrow.wkb');
    const wkb = Buffer.from(raw[0] as Uint8Array);
    expect(wkb.readUInt32LE(1)).toBe(1); // Point
    expect([wkb.readDoubleLE(5), wkb.readDoubleLE(13)]).toEqual([1, 2]);
  });

  it('VARIANT (no mapping) -> Utf8 of its text form (as @duckdb/node-api renders it)', async () => {
    const { type, raw } = await values('VARIANT', '42', `{'a': [1, 2]}`);
    expect(type).toBe('Utf8');
    expect(raw).toEqual(['42', null, "{'a': [1, 2]}"]);
  });
});

describe('recordBatchesFrom: nested types', () => {
  it('LIST of ints with null elements, empty and null lists', async () => {
    const c = await collect(
      `SELECT * FROM (VALUES (0, [1, NULL, 3]), (1, NULL), (2, []), (3, [NULL]), (4, [4, 5])) t(i, l) ORDER BY i`,
    );
    expect(String(c.schema.fields[1].type)).toBe('List<Int32>');
    expect(column(c, 'l')).toEqual([[1, null, 3], null, [], [null], [4, 5]]);
  });

  it('LIST of VARCHAR and of lists', async () => {
    const c = await collect(
      `SELECT * FROM (VALUES (0, ['a', NULL, 'a much longer string value'], [[1], NULL, [2, 3]]), (1, NULL, [[]])) t(i, s, ll) ORDER BY i`,
    );
    expect(column(c, 's')).toEqual([['a', null, 'a much longer string value'], null]);
    expect(column(c, 'll')).toEqual([[[1], null, [2, 3]], [[]]]);
  });

  it('STRUCT with a null field and a null struct', async () => {
    const c = await collect(
      `SELECT * FROM (VALUES (0, {'a': 1, 'b': NULL}), (1, NULL), (2, {'a': NULL, 'b': 'x'})) t(i, s) ORDER BY i`,
    );
    expect(String(c.schema.fields[1].type)).toBe('Struct<{a:Int32, b:Utf8}>');
    expect(column(c, 's')).toEqual([{ a: 1, b: null }, null, { a: null, b: 'x' }]);
  });

  it('MAP -> Map_ with non-null keys', async () => {
    const c = await collect(
      `SELECT * FROM (VALUES (0, MAP {'k': 1, 'j': NULL}), (1, NULL), (2, MAP {})) t(i, m) ORDER BY i`,
    );
    const type = c.schema.fields[1].type;
    expect(String(type)).toBe('Map<{key:Utf8, value:Int32}>');
    expect(type.children[0].name).toBe('entries');
    expect(type.children[0].nullable).toBe(false);
    expect(type.children[0].type.children[0].nullable).toBe(false);
    expect(column(c, 'm')).toEqual([{ k: 1, j: null }, null, {}]);
  });

  it('LIST of STRUCTs', async () => {
    const c = await collect(
      `SELECT * FROM (VALUES (0, [{'x': 1, 'y': 'one'}, NULL, {'x': NULL, 'y': 'three is long enough'}]), (1, NULL), (2, [])) t(i, l) ORDER BY i`,
    );
    expect(column(c, 'l')).toEqual([
      [{ x: 1, y: 'one' }, null, { x: null, y: 'three is long enough' }],
      null,
      [],
    ]);
  });

  it('ARRAY -> FixedSizeList, with null rows and null elements', async () => {
    const c = await collect(
      `SELECT (CASE WHEN i % 3 = 1 THEN NULL ELSE [i, CASE WHEN i % 2 = 0 THEN NULL ELSE i * 10 END] END)::INTEGER[2] a,
              (CASE WHEN i % 4 = 1 THEN NULL ELSE ['s' || i, 'long string number ' || i] END)::VARCHAR[2] s
       FROM range(10) t(i) ORDER BY i`,
    );
    expect(String(c.schema.fields[0].type)).toBe('FixedSizeList[2]<Int32>');
    expect(column(c, 'a')).toEqual(
      Array.from({ length: 10 }, (_, i) => (i % 3 === 1 ? null : [i, i % 2 === 0 ? null : i * 10])),
    );
    expect(column(c, 's')).toEqual(
      Array.from({ length: 10 }, (_, i) => (i % 4 === 1 ? null : [`s${i}`, `long string number ${i}`])),
    );
  });

  it('UNION -> SparseUnion', async () => {
    const c = await collect(
      `SELECT * FROM (VALUES (0, union_value(num := 2)::UNION(num INTEGER, str VARCHAR)),
                             (1, 'hello union'::UNION(num INTEGER, str VARCHAR)),
                             (2, NULL)) t(i, u) ORDER BY i`,
    );
    expect(String(c.schema.fields[1].type)).toBe('Union<Int32 | Utf8>');
    expect(column(c, 'u')).toEqual([2, 'hello union', null]);
  });

  it('ENUM inside a LIST keeps its dictionary through IPC', async () => {
    const c = await collect(`SELECT [NULL, 'b'::ENUM('a', 'b'), 'a'::ENUM('a', 'b')] l`);
    expect(column(c, 'l')).toEqual([[null, 'b', 'a']]);
  });
});

describe('recordBatchesFrom: streaming', () => {
  it('an empty result yields no batches but has a schema', async () => {
    const c = await collect(`SELECT i::INTEGER a, 'x' || i s FROM range(10) t(i) WHERE i < 0`);
    expect(c.batches).toHaveLength(0);
    expect(c.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['a:Int32', 's:Utf8']);
  });

  const manySql = `SELECT i, CASE WHEN i % 3 = 0 THEN NULL ELSE i * 2 END n, i % 2 = 0 b,
    CASE WHEN i % 7 = 0 THEN NULL ELSE 'row ' || i || CASE WHEN i % 2 = 0 THEN ' padded beyond inline' ELSE '' END END s,
    [i, i + 1] l FROM range(10000) t(i)`;

  const checkMany = (c: Collected) => {
    expect(c.table.numRows).toBe(10000);
    const k = Array.from({ length: 10000 }, (_, i) => i);
    expect(column(c, 'i')).toEqual(k.map(BigInt));
    expect(column(c, 'n')).toEqual(k.map((i) => (i % 3 === 0 ? null : BigInt(i * 2))));
    expect(column(c, 'b')).toEqual(k.map((i) => i % 2 === 0));
    expect(column(c, 's')).toEqual(
      k.map((i) => (i % 7 === 0 ? null : `row ${i}${i % 2 === 0 ? ' padded beyond inline' : ''}`)),
    );
    expect(column(c, 'l')).toEqual(k.map((i) => [BigInt(i), BigInt(i + 1)]));
  };

  it('coalesces 10,000 rows (5 chunks) into one batch by default', async () => {
    const c = await collect(manySql);
    expect(c.batches.map((b) => b.numRows)).toEqual([10000]);
    checkMany(c);
  });

  it('cuts batches at batchRows, one per chunk at 2048', async () => {
    const c = await collect(manySql, { batchRows: 2048 });
    expect(c.batches.map((b) => b.numRows)).toEqual([2048, 2048, 2048, 2048, 1808]);
    checkMany(c);
  });

  it('keeps validity right when chunks do not start on a byte boundary', async () => {
    // Chunks of 3, 5, 7, ... rows: most land at a bit offset that is not a multiple of 8.
    const odd = await fakeResult(
      `SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE i END n, CASE WHEN i % 5 = 0 THEN NULL ELSE 'v' || i END s FROM range(100) t(i)`,
      [3, 5, 7, 11, 13, 17, 19, 25],
    );
    const d = await collect(odd, { batchRows: 50 });
    expect(d.batches.map((b) => b.numRows)).toEqual([39, 36, 25]);
    expect(column(d, 'n')).toEqual(Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? null : BigInt(i))));
    expect(column(d, 's')).toEqual(Array.from({ length: 100 }, (_, i) => (i % 5 === 0 ? null : `v${i}`)));
  });

  it('cuts batches at batchBytes', async () => {
    const c = await collect(`SELECT i FROM range(10000) t(i)`, { batchBytes: 16 * 1024 });
    expect(c.batches.map((b) => b.numRows)).toEqual([2048, 2048, 2048, 2048, 1808]);
    expect(column(c, 'i')).toEqual(Array.from({ length: 10000 }, (_, k) => BigInt(k)));
  });

  it('works on a materialized result (connection.run)', async () => {
    const c = await collect(await conn.run(`SELECT i::INTEGER a FROM range(5000) t(i)`));
    expect(column(c, 'a')).toEqual(Array.from({ length: 5000 }, (_, k) => k));
  });

  it('reads out-of-line strings from storage in any order', async () => {
    await conn.run(
      `CREATE TABLE strs AS SELECT i, repeat(chr((65 + i % 26)::INTEGER), (13 + i % 50)::INTEGER) || i s FROM range(20000) t(i)`,
    );
    const c = await collect(`SELECT i, s FROM strs ORDER BY hash(i)`);
    const i = column(c, 'i') as bigint[];
    const s = column(c, 's');
    expect(s).toHaveLength(20000);
    for (let k = 0; k < i.length; k++) {
      const n = Number(i[k]);
      expect(s[k]).toBe(String.fromCharCode(65 + (n % 26)).repeat(13 + (n % 50)) + n);
    }
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const result = await conn.stream(`SELECT i FROM range(100000) t(i)`);
    const schema = arrowSchemaFor(result);
    const seen: number[] = [];
    for await (const batch of recordBatchesFrom(result, schema, {
      signal: controller.signal,
      batchRows: 2048,
    })) {
      seen.push(batch.numRows);
      if (seen.length === 2) controller.abort();
    }
    expect(seen).toEqual([2048, 2048]);

    const aborted = new AbortController();
    aborted.abort();
    const none = await conn.stream(`SELECT 1`);
    const batches: RecordBatch[] = [];
    for await (const b of recordBatchesFrom(none, arrowSchemaFor(none), { signal: aborted.signal }))
      batches.push(b);
    expect(batches).toHaveLength(0);
  });

  it('propagates an error from fetchChunk, after the batches before it', async () => {
    // (A real DuckDB streaming result cannot show this: @duckdb/node-bindings' fetch_chunk
    // returns null on a mid-stream error, exactly as at the end of the result.)
    const source = await fakeResult(`SELECT i FROM range(10000) t(i)`, [2048]);
    let fetches = 0;
    const failing = {
      ...(source as object),
      fetchChunk: async () => {
        if (++fetches === 3) throw new Error('boom in fetch');
        return source.fetchChunk();
      },
    } as unknown as DuckDBResult;
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const b of recordBatchesFrom(failing, arrowSchemaFor(failing), { batchRows: 2048 })) {
          seen.push(b.numRows);
        }
      })(),
    ).rejects.toThrow('boom in fetch');
    expect(seen).toEqual([2048, 2048]);
  });

  it('follows list entries that are not contiguous in the child vector', async () => {
    // DuckDB's results have contiguous list entries; rewrite them into reverse order.
    const bindings = (await import('@duckdb/node-bindings')).default;
    const result = await fakeResult(
      `SELECT CASE WHEN i % 4 = 3 THEN NULL ELSE [i, NULL, i * 2] END l,
              CASE WHEN i % 5 = 4 THEN NULL ELSE [{'s': 'element number ' || i}, NULL] END ls FROM range(40) t(i)`,
      [40],
      (chunk) => {
        for (const col of [0, 1]) {
          const vector = bindings.data_chunk_get_vector(chunk.chunk, col);
          const entries = new BigUint64Array(bindings.vector_get_data(vector, 40 * 16).slice().buffer);
          const reversed = new BigUint64Array(80);
          for (let r = 0; r < 40; r++) {
            reversed[r * 2] = entries[(39 - r) * 2];
            reversed[r * 2 + 1] = entries[(39 - r) * 2 + 1];
          }
          bindings.copy_data_to_vector(vector, 0, reversed.buffer, 0, reversed.byteLength);
        }
      },
      true,
    );
    const c = await collect(result);
    expect(column(c, 'l')).toEqual(
      Array.from({ length: 40 }, (_, r) => {
        const i = 39 - r;
        return r % 4 === 3 ? null : i % 4 === 3 ? [] : [BigInt(i), null, BigInt(i * 2)];
      }),
    );
    expect(column(c, 'ls')).toEqual(
      Array.from({ length: 40 }, (_, r) => {
        const i = 39 - r;
        return r % 5 === 4 ? null : i % 5 === 4 ? [] : [{ s: `element number ${i}` }, null];
      }),
    );
  });
});

/**
 * A DuckDBResult look-alike whose chunks hold a real query's rows, cut into chunks of the
 * given sizes (cycling) or one chunk (`single`), each optionally edited in place.
 */
async function fakeResult(
  sql: string,
  sizes: number[],
  edit?: (chunk: import('@duckdb/node-api').DuckDBDataChunk) => void,
  single = false,
): Promise<DuckDBResult> {
  const api = await import('@duckdb/node-api');
  const source = await conn.run(sql);
  const types = source.columnTypes();
  const rows = await source.getRows();
  const chunks: import('@duckdb/node-api').DuckDBDataChunk[] = [];
  let at = 0;
  for (let k = 0; at < rows.length; k++) {
    const n = single ? rows.length : Math.min(sizes[k % sizes.length], rows.length - at);
    const chunk = api.DuckDBDataChunk.create(types, n);
    chunk.setRows(rows.slice(at, at + n));
    edit?.(chunk);
    chunks.push(chunk);
    at += n;
  }
  return {
    columnCount: source.columnCount,
    columnName: (i: number) => source.columnName(i),
    columnType: (i: number) => source.columnType(i),
    fetchChunk: async () => chunks.shift() ?? null,
  } as unknown as DuckDBResult;
}
