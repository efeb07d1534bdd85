import { Type } from 'apache-arrow';
import { RowConverter } from '../../../src';
import { queryTable, useServer } from '../fixture';

/** Every type DuckDB produces, through the server and back: value and Arrow type. */
describe('DuckDB types round-trip through Flight SQL', () => {
  const fx = useServer();

  async function one(sql: string, options?: ConstructorParameters<typeof RowConverter>[1]) {
    const table = await queryTable(fx.client, sql);
    const rows = new RowConverter(table.schema, options).rows(table.batches[0]!) as unknown[][];
    return { table, type: table.schema.fields[0]!.type, values: rows.map((r) => r[0]) };
  }

  test.each([
    [
      'TINYINT',
      'SELECT * FROM (VALUES ((-128)::TINYINT), (127::TINYINT), (NULL)) t(v)',
      Type.Int,
      [-128, 127, null],
    ],
    [
      'SMALLINT',
      'SELECT * FROM (VALUES ((-32768)::SMALLINT), (32767::SMALLINT), (NULL)) t(v)',
      Type.Int,
      [-32768, 32767, null],
    ],
    [
      'INTEGER',
      'SELECT * FROM (VALUES ((-2147483648)::INTEGER), (2147483647::INTEGER), (NULL)) t(v)',
      Type.Int,
      [-2147483648, 2147483647, null],
    ],
    [
      'BIGINT',
      'SELECT * FROM (VALUES ((-9223372036854775808)::BIGINT), (9223372036854775807::BIGINT), (NULL)) t(v)',
      Type.Int,
      [-9223372036854775808n, 9223372036854775807n, null],
    ],
    ['UTINYINT', 'SELECT * FROM (VALUES (255::UTINYINT), (NULL)) t(v)', Type.Int, [255, null]],
    ['USMALLINT', 'SELECT * FROM (VALUES (65535::USMALLINT), (NULL)) t(v)', Type.Int, [65535, null]],
    ['UINTEGER', 'SELECT * FROM (VALUES (4294967295::UINTEGER), (NULL)) t(v)', Type.Int, [4294967295, null]],
    [
      'UBIGINT',
      'SELECT * FROM (VALUES (18446744073709551615::UBIGINT), (NULL)) t(v)',
      Type.Int,
      [18446744073709551615n, null],
    ],
    ['FLOAT', 'SELECT * FROM (VALUES (1.5::FLOAT), (NULL)) t(v)', Type.Float, [1.5, null]],
    [
      'DOUBLE',
      "SELECT * FROM (VALUES (0.1::DOUBLE), ('inf'::DOUBLE), (NULL)) t(v)",
      Type.Float,
      [0.1, Infinity, null],
    ],
    [
      'DECIMAL(4,1)',
      'SELECT * FROM (VALUES (-123.4::DECIMAL(4,1)), (NULL)) t(v)',
      Type.Decimal,
      ['-123.4', null],
    ],
    [
      'DECIMAL(18,6)',
      'SELECT * FROM (VALUES (123456789012.345678::DECIMAL(18,6)), (-0.000001::DECIMAL(18,6))) t(v)',
      Type.Decimal,
      ['123456789012.345678', '-0.000001'],
    ],
    [
      'DECIMAL(38,10)',
      "SELECT * FROM (VALUES ('-1234567890123456789012345678.0123456789'::DECIMAL(38,10))) t(v)",
      Type.Decimal,
      ['-1234567890123456789012345678.0123456789'],
    ],
    [
      'HUGEINT',
      "SELECT * FROM (VALUES ('-170141183460469231731687303715884105727'::HUGEINT)) t(v)",
      Type.Decimal,
      ['-170141183460469231731687303715884105727'],
    ],
    ['VARCHAR', "SELECT * FROM (VALUES ('héllo ✓'), (''), (NULL)) t(v)", Type.Utf8, ['héllo ✓', '', null]],
    ['BOOLEAN', 'SELECT * FROM (VALUES (true), (false), (NULL)) t(v)', Type.Bool, [true, false, null]],
    [
      'DATE',
      "SELECT * FROM (VALUES (DATE '2024-02-29'), (DATE '1969-12-31'), (NULL)) t(v)",
      Type.Date,
      [new Date('2024-02-29T00:00:00Z'), new Date('1969-12-31T00:00:00Z'), null],
    ],
    [
      'TIME',
      "SELECT * FROM (VALUES (TIME '13:45:07.123456'), (NULL)) t(v)",
      Type.Time,
      ['13:45:07.123456', null],
    ],
    [
      'TIMESTAMP',
      "SELECT * FROM (VALUES (TIMESTAMP '2024-01-02 03:04:05.678'), (NULL)) t(v)",
      Type.Timestamp,
      [new Date('2024-01-02T03:04:05.678Z'), null],
    ],
    [
      'TIMESTAMPTZ',
      "SELECT * FROM (VALUES ('2024-01-02 03:04:05+02'::TIMESTAMPTZ)) t(v)",
      Type.Timestamp,
      [new Date('2024-01-02T01:04:05Z')],
    ],
  ])('%s', async (_name, sql, typeId, expected) => {
    const { type, values } = await one(sql);
    expect(type.typeId).toBe(typeId);
    expect(values).toEqual(expected);
  });

  test('TIMESTAMPTZ carries a UTC time zone', async () => {
    const { type } = await one("SELECT '2024-01-02 03:04:05+02'::TIMESTAMPTZ AS v");
    expect((type as unknown as { timezone: string }).timezone).toBe('UTC');
  });

  test('timestamps of every unit, exact as bigint nanoseconds and ISO strings', async () => {
    const sql = `SELECT TIMESTAMP_S '2024-01-02 03:04:05' AS s, TIMESTAMP_MS '2024-01-02 03:04:05.123' AS ms,
      TIMESTAMP '2024-01-02 03:04:05.123456' AS us, TIMESTAMP_NS '2024-01-02 03:04:05.123456789' AS ns,
      TIMESTAMP '1969-12-31 23:59:59.999999' AS before_epoch`;
    const table = await queryTable(fx.client, sql);
    const asBigint = new RowConverter(table.schema, { timestamps: 'bigint' }).rows(table.batches[0]!)[0];
    expect(asBigint).toEqual([
      1704164645000000000n,
      1704164645123000000n,
      1704164645123456000n,
      1704164645123456789n,
      -1000n,
    ]);
    const asString = new RowConverter(table.schema, { timestamps: 'string' }).rows(table.batches[0]!)[0];
    expect(asString).toEqual([
      '2024-01-02T03:04:05Z',
      '2024-01-02T03:04:05.123Z',
      '2024-01-02T03:04:05.123456Z',
      '2024-01-02T03:04:05.123456789Z',
      '1969-12-31T23:59:59.999999Z',
    ]);
  });

  test('BLOB', async () => {
    const { type, values } = await one("SELECT * FROM (VALUES ('\\x00\\xFF'::BLOB), (NULL)) t(v)");
    expect(type.typeId).toBe(Type.Binary);
    expect(values).toEqual([new Uint8Array([0, 255]), null]);
  });

  test('INTERVAL', async () => {
    const { values } = await one("SELECT INTERVAL '1 year 2 months 3 days 04:05:06.000007' AS v");
    expect(values).toEqual([{ months: 14, days: 3, nanoseconds: 14706000007000n }]);
  });

  test('LIST, nested and with nulls', async () => {
    const { type, values } = await one('SELECT * FROM (VALUES ([1, NULL, 3]), ([]), (NULL)) t(v)');
    expect(type.typeId).toBe(Type.List);
    expect(values).toEqual([[1, null, 3], [], null]);
  });

  test('STRUCT with a null member and a null struct', async () => {
    const { type, values } = await one(
      "SELECT * FROM (VALUES ({'a': 1, 'b': 'x'}), ({'a': NULL, 'b': 'y'}), (NULL)) t(v)",
    );
    expect(type.typeId).toBe(Type.Struct);
    expect(values).toEqual([{ a: 1, b: 'x' }, { a: null, b: 'y' }, null]);
  });

  test('MAP', async () => {
    const { type, values } = await one("SELECT MAP {'k1': 10, 'k2': NULL} AS v");
    expect(type.typeId).toBe(Type.Map);
    expect(values).toEqual([{ k1: 10, k2: null }]);
  });

  test('list of structs', async () => {
    const { values } = await one("SELECT [{'x': 1}, {'x': 2}] AS v");
    expect(values).toEqual([[{ x: 1 }, { x: 2 }]]);
  });

  test('ENUM arrives as strings', async () => {
    await fx.exec("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
    const { values } = await one("SELECT * FROM (VALUES ('happy'::mood), ('sad'::mood), (NULL)) t(v)");
    expect(values).toEqual(['happy', 'sad', null]);
  });

  test('UUID arrives as canonical text', async () => {
    const { values } = await one("SELECT '1f2d3c4b-5a69-4788-9aab-bccddeeff001'::UUID AS v");
    expect(values).toEqual(['1f2d3c4b-5a69-4788-9aab-bccddeeff001']);
  });

  test('a row of nulls of many types', async () => {
    const table = await queryTable(
      fx.client,
      'SELECT NULL::INTEGER a, NULL::VARCHAR b, NULL::DOUBLE c, NULL::TIMESTAMP d, NULL::INTEGER[] e, NULL::DECIMAL(10,2) f, NULL::BLOB g, NULL::BOOLEAN h',
    );
    expect(new RowConverter(table.schema).rows(table.batches[0]!)).toEqual([
      [null, null, null, null, null, null, null, null],
    ]);
  });
});
