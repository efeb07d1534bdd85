import { LineProtocolError, Point, serializePoints, type Precision } from '../../../src/influx';
import { lineCases } from './lineProtocolCases';

describe('line protocol table', () => {
  test.each(lineCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(c.point().toLineProtocol()).toBe(c.line);
  });
});

describe('Point', () => {
  test('a point without timestamp has none (the server stamps it; V3 stamps it client-side)', () => {
    expect(new Point('m').field('v', 1).toLineProtocol()).toBe('m v=1');
  });

  test('setting a field or tag twice keeps the last value in place', () => {
    const p = new Point('m')
      .tag('a', '1')
      .tag('b', '2')
      .tag('a', '3')
      .field('x', 1)
      .field('y', 2)
      .field('x', 'z');
    expect(p.toLineProtocol()).toBe('m,a=3,b=2 x="z",y=2');
  });

  test('null or undefined removes a field; empty removes a tag', () => {
    const p = new Point('m').tag('a', '1').tag('b', '2').field('x', 1).field('y', 2);
    p.tag('a', '').field('x', undefined).field('nope', null);
    expect(p.toLineProtocol()).toBe('m,b=2 y=2');
  });

  test('typed setters', () => {
    const p = new Point('m')
      .floatField('f', 3)
      .intField('i', 3)
      .intField('b', 3n)
      .uintField('u', 3)
      .uintField('U', 18446744073709551615n);
    p.stringField('s', '3').booleanField('t', true);
    expect(p.toLineProtocol()).toBe('m f=3,i=3i,b=3i,u=3u,U=18446744073709551615u,s="3",t=true');
  });

  test('tag values that are not strings are written as text', () => {
    expect(new Point('m').tag('n', 1.5).tag('b', false).tag('i', 7n).field('v', 1).toLineProtocol()).toBe(
      'm,b=false,i=7,n=1.5 v=1',
    );
  });

  test('default tags merge into byte order, the point winning', () => {
    const p = new Point('m').tag('b', 'own').tag('d', 'own').field('v', 1);
    expect(p.toLineProtocol({ defaultTags: { a: 'x', b: 'def', c: 'y', e: '' } })).toBe(
      'm,a=x,b=own,c=y,d=own v=1',
    );
  });

  test('more tags and fields than the per-position cache holds', () => {
    const p = new Point('wide');
    for (let i = 19; i >= 0; i--) p.tag(`t${String(i).padStart(2, '0')}`, String(i));
    for (let i = 0; i < 20; i++) p.intField(`f${i}`, i);
    p.tag('t05', 'again').intField('f3', 33n);
    const line = p.toLineProtocol();
    expect(line.split(' ')[0]!.split(',').slice(1, 4)).toEqual(['t00=0', 't01=1', 't02=2']);
    expect(line).toContain('t05=again');
    expect(line).toContain(',f3=33i,');
    expect(line.match(/f3=/g)).toHaveLength(1);
  });

  test('the caches never leak a key from one point into another', () => {
    const a = new Point('a').tag('x', '1').field('f', 1);
    const b = new Point('b').tag('y', '2').field('g', 2);
    const c = new Point('a').tag('x', '3').field('f', 3);
    expect([a, b, c].map((p) => p.toLineProtocol())).toEqual(['a,x=1 f=1', 'b,y=2 g=2', 'a,x=3 f=3']);
  });

  test('precision conversion of each kind of timestamp', () => {
    const ns = 1_600_000_000_123_456_789n;
    const p = new Point('m').field('v', 1).timestamp(ns);
    const at = (precision: Precision) => p.toLineProtocol({ precision }).split(' ')[2];
    expect([at('ns'), at('n'), at('us'), at('u'), at('ms'), at('s'), at('m'), at('h')]).toEqual([
      '1600000000123456789',
      '1600000000123456789',
      '1600000000123456',
      '1600000000123456',
      '1600000000123',
      '1600000000',
      '26666666',
      '444444',
    ]);
    expect(
      new Point('m').field('v', 1).timestamp(new Date(1_600_000_000_123)).toLineProtocol({ precision: 'ms' }),
    ).toBe('m v=1 1600000000123');
    // A number or a string of digits is already in the write's precision (as influxdb-python takes integers).
    expect(new Point('m').field('v', 1).timestamp(1_600_000_000).toLineProtocol({ precision: 's' })).toBe(
      'm v=1 1600000000',
    );
    expect(new Point('m').field('v', 1).timestamp('1600000000123456789').toLineProtocol()).toBe(
      'm v=1 1600000000123456789',
    );
    expect(new Point('m').field('v', 1).timestamp('-9223372036854775806').toLineProtocol()).toBe(
      'm v=1 -9223372036854775806',
    );
    expect(new Point('m').field('v', 1).timestamp('9223372036').toLineProtocol({ precision: 's' })).toBe(
      'm v=1 9223372036',
    );
  });

  test('toString shows the line, or says the point has no fields', () => {
    expect(String(new Point('m').field('v', 1))).toBe('m v=1');
    expect(String(new Point('m'))).toBe('Point("m", no fields)');
  });

  test('serializePoints joins lines and checks them all', () => {
    expect(
      serializePoints([new Point('a').field('v', 1), { measurement: 'b', fields: { v: 2 } }], {
        defaultTags: { t: 'x' },
      }),
    ).toBe('a,t=x v=1\nb,t=x v=2');
  });
});

describe('refused before sending, naming the point and the problem', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['NaN', () => new Point('cpu').field('v', NaN), /point "cpu": field "v" is NaN/],
    ['Infinity', () => new Point('cpu').floatField('v', Infinity), /field "v" is Infinity/],
    ['-Infinity', () => new Point('cpu').field('v', -Infinity), /field "v" is -Infinity/],
    [
      'no fields',
      () => new Point('cpu').tag('a', 'b').toLineProtocol(),
      /point "cpu": the point has no fields/,
    ],
    ['empty measurement', () => new Point(''), /measurement name is empty/],
    ['measurement starting with #', () => new Point('#cpu'), /comment line/],
    ['measurement starting with a tab', () => new Point('\tcpu'), /tab or NUL/],
    ['measurement with a line feed', () => new Point('a\nb'), /line feed/],
    ['measurement ending with a backslash', () => new Point('a\\'), /end with a backslash/],
    ['measurement with a backslash before a comma', () => new Point('a\\,b'), /unreadable/],
    ['int above int64', () => new Point('m').intField('i', 9223372036854775808n), /outside the int64 range/],
    ['int below int64', () => new Point('m').field('i', -9223372036854775809n), /outside the int64 range/],
    ['unsafe integer number', () => new Point('m').intField('i', 2 ** 53), /not a safe integer/],
    ['fractional integer', () => new Point('m').intField('i', 1.5), /not a safe integer/],
    ['negative unsigned', () => new Point('m').uintField('u', -1), /non-negative/],
    ['unsigned above uint64', () => new Point('m').uintField('u', 18446744073709551616n), /uint64/],
    [
      'tag value ending in a backslash',
      () => new Point('m').tag('k', 'v\\'),
      /value of tag "k" "v\\\\" ends with a backslash/,
    ],
    [
      'tag key ending in a backslash',
      () => new Point('m').tag('k\\', 'v'),
      /tag key .* ends with a backslash/,
    ],
    [
      'tag key with a backslash before a space, then a quote in a tag value (1.x would misread the line end)',
      () => new Point('m').tag('\\ k', 'a"b').field('v', 1).toLineProtocol(),
      /misread where this line ends/,
    ],
    [
      'tag value with backslashes before a space and an "=", then a quote (1.x would misread the line end)',
      () => new Point('m').tag('k', '\\ x\\="').field('v', 1).toLineProtocol(),
      /misread where this line ends/,
    ],
    [
      'the same through default tags',
      () => new Point('m').field('v', 1).toLineProtocol({ defaultTags: { '\\ k': 'a"b' } }),
      /misread where this line ends/,
    ],
    ['tag value with a line feed', () => new Point('m').tag('k', 'a\nb'), /line feed/],
    ['empty tag key', () => new Point('m').tag('', 'v'), /tag key is empty/],
    ['tag key time', () => new Point('m').tag('time', 'v'), /"time" cannot be a tag key/],
    ['field key time', () => new Point('m').field('time', 1), /"time" cannot be a field key/],
    ['empty field key', () => new Point('m').field('', 1), /field key is empty/],
    ['field key ending in a backslash', () => new Point('m').field('f\\', 1), /ends with a backslash/],
    [
      'field key with an odd run of backslashes before a comma',
      () => new Point('m').field('a\\,b', 1),
      /odd run of backslashes/,
    ],
    ['field key starting with a tab', () => new Point('m').field('\tf', 1), /starts with a tab/],
    ['lone surrogate in a string', () => new Point('m').field('s', 'a\ud800'), /lone surrogate/],
    ['lone surrogate in a tag', () => new Point('m').tag('k', '\udc00'), /lone surrogate/],
    ['unsupported field type', () => new Point('m').field('o', {} as never), /unsupported type object/],
    ['invalid Date', () => new Point('m').timestamp(new Date('nope')), /invalid Date/],
    ['bad ISO time', () => new Point('m').timestamp('2020-13-01T00:00:00Z'), /not a valid date/],
    ['ISO time without zone', () => new Point('m').timestamp('2020-01-01T00:00:00'), /RFC 3339/],
    ['fractional number timestamp', () => new Point('m').timestamp(1.5), /not a safe integer/],
    ['digit string with leading zeros', () => new Point('m').timestamp('007'), /RFC 3339/],
    [
      'digit string out of range',
      () => new Point('m').field('v', 1).timestamp('9223372036854775807').toLineProtocol(),
      /outside the range/,
    ],
    [
      'digit string out of range in seconds',
      () => new Point('m').field('v', 1).timestamp('9223372037').toLineProtocol({ precision: 's' }),
      /outside the range/,
    ],
    [
      'timestamp out of range',
      () => new Point('m').field('v', 1).timestamp(9223372036854775807n).toLineProtocol(),
      /outside the range/,
    ],
    [
      'seconds out of range',
      () => new Point('m').field('v', 1).timestamp(9_300_000_000).toLineProtocol({ precision: 's' }),
      /outside the range/,
    ],
    [
      'bad precision',
      () => new Point('m').field('v', 1).toLineProtocol({ precision: 'sec' as never }),
      /invalid precision "sec"/,
    ],
  ];
  test.each(cases)('%s', (_name, make, message) => {
    let error: unknown;
    try {
      make();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
  });

  test('serializePoints names the index of the refused point', () => {
    const points = [
      { measurement: 'ok', fields: { v: 1 } },
      { measurement: 'bad', fields: { v: NaN } },
    ];
    expect(() => serializePoints(points)).toThrow(LineProtocolError);
    expect(() => serializePoints(points)).toThrow(/^point #1 \("bad"\): field "v" is NaN/);
    try {
      serializePoints(points);
    } catch (err) {
      expect(err).toMatchObject({ index: 1, measurement: 'bad', problem: expect.stringContaining('NaN') });
    }
  });
});
