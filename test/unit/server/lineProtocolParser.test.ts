/** The embedded server's line protocol parser, precision names, and table mapping (pure units). */
import { parseLineProtocol, type Point } from '../../../src/server/http/lineProtocol';
import { parsePrecision, toNanoseconds, type Precision } from '../../../src/server/http/precision';
import { planWrite, type CatalogTable } from '../../../src/server/http/tablePlan';

const NOW = 1_700_000_000_123_456_789n;
const parse = (text: string, precision: Precision = 'ns') => parseLineProtocol(text, { precision, now: NOW });

/** The one point of `line`, failing with the parse error when there is one. */
function point(line: string, precision: Precision = 'ns'): Point {
  const { points, errors } = parse(line, precision);
  expect(errors).toEqual([]);
  expect(points).toHaveLength(1);
  return points[0]!;
}

/** The error message of `line`, which must not parse. */
function error(line: string, precision: Precision = 'ns'): string {
  const { points, errors } = parse(line, precision);
  expect(points).toEqual([]);
  expect(errors).toHaveLength(1);
  expect(errors[0]!.lineNumber).toBe(1);
  return errors[0]!.message;
}

const fields = (p: Point) =>
  Object.fromEntries(p.fieldKeys.map((k, i) => [k, [p.fieldTypes[i], p.fieldValues[i]]]));
const tags = (p: Point) => Object.fromEntries(p.tagKeys.map((k, i) => [k, p.tagValues[i]]));

describe('line protocol: valid lines', () => {
  test('measurement, tags, fields, timestamp; no timestamp takes the request time', () => {
    const p = point('cpu,host=a,region=eu usage=1.5,n=3i 1700000000000000001');
    expect(p.measurement).toBe('cpu');
    expect(tags(p)).toEqual({ host: 'a', region: 'eu' });
    expect(fields(p)).toEqual({ usage: ['float', 1.5], n: ['integer', 3n] });
    expect(p.time).toBe(1_700_000_000_000_000_001n);
    expect(point('cpu v=1').time).toBe(NOW);
    expect(point('cpu v=1   ').time).toBe(NOW);
  });

  test.each([
    ['my\\ cpu\\,x v=1', 'my cpu,x'],
    ['a\\=b\\"c v=1', 'a=b"c'],
    ['back\\\\slash v=1', 'back\\\\slash'],
    ['tab\\tx v=1', 'tab\\tx'],
    ['"quoted" v=1', '"quoted"'],
    ['ünïcødé😀 v=1', 'ünïcødé😀'],
  ])('measurement %j is %j', (line, measurement) => {
    expect(point(line).measurement).toBe(measurement);
  });

  test('tag keys and values unescape , = and space only; the order of the line is kept', () => {
    const p = point('m,z\\ k\\,e\\=y=v\\ a\\,l\\=ue,a=x\\"y,b=c\\\\d v=1');
    expect(p.tagKeys).toEqual(['z k,e=y', 'a', 'b']);
    expect(p.tagValues).toEqual(['v a,l=ue', 'x\\"y', 'c\\\\d']);
  });

  test('the same escaped text reads as each element reads it', () => {
    const p = point('a\\"b,a\\"b=a\\"b a\\"b="a\\"b"');
    expect([p.measurement, p.tagKeys[0], p.tagValues[0], p.fieldKeys[0], p.fieldValues[0]]).toEqual([
      'a"b',
      'a\\"b',
      'a\\"b',
      'a"b',
      'a"b',
    ]);
  });

  test('field keys unescape , = space and "', () => {
    expect(fields(point('m f\\ k\\=\\,\\"=1i'))).toEqual({ 'f k=,"': ['integer', 1n] });
  });

  test('strings: \\" and \\\\ unescaped, other backslashes kept, raw line feeds and separators allowed', () => {
    const p = point('m s="a \\"q\\" \\\\ \\n, x=1 2",t="",u="line1\nline2" 5');
    expect(fields(p)).toEqual({
      s: ['string', 'a "q" \\ \\n, x=1 2'],
      t: ['string', ''],
      u: ['string', 'line1\nline2'],
    });
    expect(p.time).toBe(5n);
  });

  test.each([
    ['1', 1],
    ['1.5', 1.5],
    ['-1e3', -1000],
    ['1E+21', 1e21],
    ['1e-07', 1e-7],
    ['1.', 1],
    ['.5', 0.5],
    ['-0', -0],
    ['1.7976931348623157e308', Number.MAX_VALUE],
  ])('float %s', (text, value) => {
    expect(fields(point(`m v=${text}`))).toEqual({ v: ['float', value] });
  });

  test.each([
    ['0i', 0n],
    ['-12i', -12n],
    ['9223372036854775807i', 9_223_372_036_854_775_807n],
    ['-9223372036854775808i', -9_223_372_036_854_775_808n],
  ])('integer %s', (text, value) => {
    expect(fields(point(`m v=${text}`))).toEqual({ v: ['integer', value] });
  });

  test.each([
    ['0u', 0n],
    ['18446744073709551615u', 18_446_744_073_709_551_615n],
  ])('unsigned %s', (text, value) => {
    expect(fields(point(`m v=${text}`))).toEqual({ v: ['unsigned', value] });
  });

  test.each(['t', 'T', 'true', 'True', 'TRUE', 'f', 'F', 'false', 'False', 'FALSE'])('boolean %s', (text) => {
    expect(fields(point(`m v=${text}`))).toEqual({ v: ['boolean', text.toLowerCase().startsWith('t')] });
  });

  test('comments, blank lines, leading spaces and CRLF line ends; line numbers count every line', () => {
    const body = '# a comment\r\n\r\ncpu v=1 1\r\n   \n  cpu v=2 2\r\n# cpu v=3 3\ncpu v=4\r\n';
    const { points, errors } = parse(body);
    expect(errors).toEqual([]);
    expect(points.map((p) => [p.lineNumber, p.fieldValues[0], p.time])).toEqual([
      [3, 1, 1n],
      [5, 2, 2n],
      [7, 4, NOW],
    ]);
    expect(parse('\uFEFFm v=1').points).toHaveLength(1);
  });

  test('a string spanning lines counts them; the next line gets the right number', () => {
    const { points, errors } = parse('m s="a\nb\nc" 1\nbad\nm v=1 2');
    expect(points.map((p) => p.lineNumber)).toEqual([1, 5]);
    expect(errors.map((e) => [e.lineNumber, e.line])).toEqual([[4, 'bad']]);
  });
});

describe('line protocol: errors name the line and the problem', () => {
  test.each([
    ['cpu', 'missing fields'],
    ['cpu,host=a', 'missing fields'],
    ['cpu ', 'missing fields'],
    [',t=a v=1', 'missing measurement'],
    ['cpu,host v=1', "missing value for tag 'host'"],
    ['cpu,=a v=1', 'empty tag key'],
    ['cpu,host= v=1', "empty value for tag 'host'"],
    ['cpu,a=1,a=2 v=1', "duplicate tag 'a'"],
    ['cpu v=1,v=2', "duplicate field 'v'"],
    ['cpu v', "missing value for field 'v'"],
    ['cpu v=', "missing value for field 'v'"],
    ['cpu v=1,', 'empty field key'],
    ['cpu =1', 'empty field key'],
    ['cpu v=abc', "invalid value 'abc' for field 'v'"],
    ['cpu v=1x', "invalid value '1x' for field 'v'"],
    ['cpu v=1.2.3', "invalid value '1.2.3'"],
    ['cpu v=+1', "invalid value '+1'"],
    ['cpu v=inf', "field 'v' is inf: NaN and infinity cannot be stored"],
    ['cpu v=-Inf', 'NaN and infinity'],
    ['cpu v=NaN', 'NaN and infinity'],
    ['cpu v=1e400', "float value '1e400' of field 'v' is out of range"],
    ['cpu v=9223372036854775808i', 'out of the int64 range'],
    ['cpu v=-9223372036854775809i', 'out of the int64 range'],
    ['cpu v=18446744073709551616u', 'out of the uint64 range'],
    ['cpu v=-1u', "unsigned value '-1u' of field 'v' is negative"],
    ['cpu v=1.5i', "invalid value '1.5i'"],
    ['cpu v=yes', "invalid value 'yes'"],
    ['cpu v="open', "unterminated string value for field 'v'"],
    ['cpu v=1 12a', "invalid timestamp '12a'"],
    ['cpu v=1 1.5', "invalid timestamp '1.5'"],
    ['cpu v=1 1 2', "unexpected '2' after the timestamp"],
    ['cpu v="a"x', "unexpected 'x' after the fields"],
    ['cpu v=1 9223372036854775807', "timestamp '9223372036854775807' is out of range"],
  ])('%j: %s', (line, message) => {
    expect(error(line)).toContain(message);
  });

  test('every bad line is reported with its number and text; good lines around it still parse', () => {
    const body = 'm v=1 1\nm v=x 2\r\n\nm,t v=1\nm v=2 3\nm v="never closed\nm v=3 4';
    const { points, errors } = parse(body);
    expect(points.map((p) => p.lineNumber)).toEqual([1, 5]);
    expect(errors).toEqual([
      { lineNumber: 2, line: 'm v=x 2', message: expect.stringContaining("invalid value 'x'") },
      { lineNumber: 4, line: 'm,t v=1', message: "missing value for tag 't'" },
      // An unterminated string runs to the end of the body, as in InfluxDB.
      { lineNumber: 6, line: 'm v="never closed\nm v=3 4', message: expect.stringContaining('unterminated') },
    ]);
  });

  test('the text of a very long bad line is cut', () => {
    const { errors } = parse(`m v=${'x'.repeat(1000)}`);
    expect(errors[0]!.line).toHaveLength(257);
    expect(errors[0]!.line.endsWith('…')).toBe(true);
  });

  test('a point knows where its line is, without the CR', () => {
    const body = 'a v=1\r\nbb v=2 7\r\n';
    const [a, b] = parse(body).points;
    expect(body.slice(a!.start, a!.end)).toBe('a v=1');
    expect(body.slice(b!.start, b!.end)).toBe('bb v=2 7');
  });
});

describe('timestamps: precision, exactly', () => {
  test.each<[string, Precision, bigint]>([
    ['1700000000123456789', 'ns', 1_700_000_000_123_456_789n],
    ['1700000000123456', 'us', 1_700_000_000_123_456_000n],
    ['1700000000123', 'ms', 1_700_000_000_123_000_000n],
    ['1700000000', 's', 1_700_000_000_000_000_000n],
    ['28333333', 'm', 1_699_999_980_000_000_000n],
    ['472222', 'h', 1_699_999_200_000_000_000n],
    ['-1', 's', -1_000_000_000n],
    ['-9223372036854775806', 'ns', -9_223_372_036_854_775_806n],
    ['9223372036854775806', 'ns', 9_223_372_036_854_775_806n],
    // auto: |t| < 5e9 seconds, < 5e12 ms, < 5e15 us, else ns (InfluxDB 3)
    ['1708473600', 'auto', 1_708_473_600_000_000_000n],
    ['1708473601000', 'auto', 1_708_473_601_000_000_000n],
    ['1708473602000000', 'auto', 1_708_473_602_000_000_000n],
    ['1708473603000000000', 'auto', 1_708_473_603_000_000_000n],
    ['-4999999999', 'auto', -4_999_999_999_000_000_000n],
  ])('%s in %s', (raw, precision, nanos) => {
    expect(point(`m v=1 ${raw}`, precision).time).toBe(nanos);
    expect(toNanoseconds(BigInt(raw), precision)).toBe(nanos);
  });

  test.each<[string, Precision]>([
    ['9223372036854775807', 'ns'],
    ['-9223372036854775807', 'ns'],
    ['9223372036854776', 'us'],
    ['9223372037', 's'],
    ['2562048', 'h'],
    ['153722868', 'm'],
  ])('%s in %s is out of range', (raw, precision) => {
    expect(error(`m v=1 ${raw}`, precision)).toContain('out of range');
  });

  test('precision names per API; unknown names are refused, never read as nanoseconds', () => {
    expect(parsePrecision('v3', null)).toBe('auto');
    expect(parsePrecision('v2', null)).toBe('ns');
    expect(parsePrecision('v1', '')).toBe('ns');
    expect(
      ['auto', 'nanosecond', 'microsecond', 'millisecond', 'second', 'ns', 'us', 'ms', 's'].map((n) =>
        parsePrecision('v3', n),
      ),
    ).toEqual(['auto', 'ns', 'us', 'ms', 's', 'ns', 'us', 'ms', 's']);
    expect(['ns', 'us', 'ms', 's'].map((n) => parsePrecision('v2', n))).toEqual(['ns', 'us', 'ms', 's']);
    expect(['n', 'ns', 'u', 'us', 'ms', 's', 'm', 'h'].map((n) => parsePrecision('v1', n))).toEqual([
      'ns',
      'ns',
      'us',
      'us',
      'ms',
      's',
      'm',
      'h',
    ]);
    for (const [api, name] of [
      ['v3', 'h'],
      ['v3', 'n'],
      ['v2', 'm'],
      ['v2', 'nanosecond'],
      ['v1', 'x'],
      ['v1', 'second'],
      ['v1', 'toString'],
    ] as const) {
      expect(parsePrecision(api, name)).toBeUndefined();
    }
  });
});

describe('table mapping', () => {
  const points = (body: string) => parse(body).points;

  test('a new table: time first, then columns in order of appearance, typed', () => {
    const plan = planWrite(points('m,host=a f=1,i=2i,u=3u,s="x",b=t 1\nm,dc=eu f=2,extra=5i 2'), []);
    expect(plan.rejected).toEqual([]);
    expect(plan.tables).toHaveLength(1);
    const [table] = plan.tables;
    expect(table!.exists).toBe(false);
    expect(table!.columns.map((c) => `${c.name} ${c.type} ${c.kind}`)).toEqual([
      'time TIMESTAMP_NS time',
      'host VARCHAR tag',
      'f DOUBLE field',
      'i BIGINT field',
      'u UBIGINT field',
      's VARCHAR field',
      'b BOOLEAN field',
      'dc VARCHAR tag',
      'extra BIGINT field',
    ]);
    expect(table!.rows.map((r) => r.indexes)).toEqual([
      [1, 2, 3, 4, 5, 6],
      [7, 2, 8],
    ]);
  });

  const existing: CatalogTable = {
    name: 'cpu',
    columns: [
      { name: 'time', type: 'TIMESTAMP_NS', kind: 'time' },
      { name: 'host', type: 'VARCHAR', kind: 'tag' },
      { name: 'usage', type: 'DOUBLE', kind: 'field' },
      { name: 'note', type: 'VARCHAR', kind: 'field' },
      { name: 'legacy', type: 'VARCHAR', kind: 'other' },
      { name: 'small', type: 'INTEGER', kind: 'other' },
    ],
  };

  test.each([
    [
      'cpu usage="x"',
      "invalid column type for column 'usage', expected float (DOUBLE), got string (VARCHAR)",
    ],
    ['cpu usage=1i', "invalid column type for column 'usage', expected float (DOUBLE), got integer (BIGINT)"],
    ['cpu host=1', "field 'host' of type float (DOUBLE) collides with tag column 'host'"],
    [
      'cpu,note=x usage=1',
      "tag 'note' collides with column 'note', which is a field of type string (VARCHAR)",
    ],
    ['cpu,small=x usage=1', "tag 'small' collides with column 'small', which is INTEGER"],
    ['cpu small=1i', "invalid column type for column 'small', expected INTEGER, got integer (BIGINT)"],
    ['cpu Usage=1', "field 'Usage' and column 'usage' differ only by case"],
    ['CPU usage=1', "measurement 'CPU' and table 'cpu' differ only by case"],
    ['cpu,time=x usage=1', "'time' cannot be a tag key"],
    ['cpu TIME=1', "'TIME' cannot be a field key"],
    ['cpu,k=x k=1', "'k' is both a tag and a field"],
    ['cpu,k=x K=1', "'K' and 'k' differ only by case"],
    ['cpu,a=x,A=y usage=1', "'A' and 'a' differ only by case"],
  ])('%j is refused: %s', (line, message) => {
    const plan = planWrite(points(line), [existing]);
    expect(plan.rowCount).toBe(0);
    expect(plan.rejected.map((r) => r.message)).toEqual([expect.stringContaining(message)]);
  });

  test('columns made outside this server take values of their type (VARCHAR: tags or strings)', () => {
    const plan = planWrite(points('cpu,legacy=x usage=1\ncpu legacy="y"'), [existing]);
    expect(plan.rejected).toEqual([]);
    expect(plan.tables[0]!.added).toEqual([]);
  });

  test('a conflict with an earlier line of the request names that line; later good lines still go in', () => {
    const plan = planWrite(points('m v=1i 1\nm v=2 2\nm,v=x w=1 3\nm v=3i,w=true 4'), []);
    expect(plan.rejected.map((r) => [r.point.lineNumber, r.message])).toEqual([
      [
        2,
        "invalid column type for column 'v', expected integer (BIGINT), got float (DOUBLE) (set by line 1)",
      ],
      [3, "tag 'v' collides with column 'v', which is a field of type integer (BIGINT) (set by line 1)"],
    ]);
    expect(plan.rowCount).toBe(2);
    // A refused line adds no column.
    expect(plan.tables[0]!.columns.map((c) => c.name)).toEqual(['time', 'v', 'w']);
  });

  test('an existing table without a time column gets one; one with another type refuses', () => {
    const plan = planWrite(points('t v=1'), [
      { name: 't', columns: [{ name: 'v', type: 'DOUBLE', kind: 'other' }] },
    ]);
    expect(plan.tables[0]!.added.map((c) => c.name)).toEqual(['time']);
    const bad = planWrite(points('t v=1'), [
      { name: 't', columns: [{ name: 'time', type: 'TIMESTAMP', kind: 'other' }] },
    ]);
    expect(bad.rejected[0]!.message).toBe("column 'time' of table 't' is TIMESTAMP, not TIMESTAMP_NS");
  });

  test('nothing can be written into a view', () => {
    const plan = planWrite(points('v x=1'), [{ name: 'v', columns: [], view: true }]);
    expect(plan.rejected[0]!.message).toBe("'v' is a view, not a table");
  });
});
