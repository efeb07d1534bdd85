/**
 * The line protocol table: each case builds a point, gives the exact line we must write,
 * and what InfluxDB must store (checked against a real influxd in
 * test/integration/influx/lineProtocol.test.ts). Several are regressions of bugs in
 * influxdb-python (IP) and @influxdata/influxdb3-client (V3) listed in
 * /work/shared/research/influxdb1.md sections 6.3 and 6.4.
 */
import { Point } from '../../../src/influx';

export interface LineCase {
  readonly name: string;
  readonly point: () => Point;
  /** The exact line (ns precision). */
  readonly line: string;
  /** What the server stores: measurement, tags, fields (JS values as read back), ns time. */
  readonly stored: {
    readonly measurement: string;
    readonly tags: Readonly<Record<string, string>>;
    readonly fields: Readonly<Record<string, number | bigint | string | boolean>>;
    readonly time: bigint;
  };
  /** Field types as SHOW FIELD KEYS reports them. */
  readonly types: Readonly<Record<string, 'float' | 'integer' | 'string' | 'boolean'>>;
}

const T = 1_600_000_000_123_456_789n;

function lc(
  name: string,
  point: () => Point,
  line: string,
  stored: Omit<LineCase['stored'], 'time'> & { time?: bigint },
  types: LineCase['types'],
): LineCase {
  return { name, point, line, stored: { ...stored, time: stored.time ?? T }, types };
}

export const lineCases: readonly LineCase[] = [
  lc(
    'plain float',
    () => new Point('cpu').field('v', 0.5).timestamp(T),
    `cpu v=0.5 ${T}`,
    { measurement: 'cpu', tags: {}, fields: { v: 0.5 } },
    { v: 'float' },
  ),
  lc(
    'integral float stays a float (no suffix)',
    () => new Point('m').field('v', 42).timestamp(T),
    `m v=42 ${T}`,
    { measurement: 'm', tags: {}, fields: { v: 42 } },
    { v: 'float' },
  ),
  lc(
    'float shortest round-trip text',
    () =>
      new Point('m')
        .field('a', 0.1 + 0.2)
        .field('b', 1e21)
        .field('c', 5e-324)
        .field('d', -1.7976931348623157e308)
        .timestamp(T),
    `m a=0.30000000000000004,b=1e+21,c=5e-324,d=-1.7976931348623157e+308 ${T}`,
    { measurement: 'm', tags: {}, fields: { a: 0.1 + 0.2, b: 1e21, c: 5e-324, d: -1.7976931348623157e308 } },
    { a: 'float', b: 'float', c: 'float', d: 'float' },
  ),
  lc(
    'negative zero keeps its sign',
    () => new Point('m').field('z', -0).timestamp(T),
    `m z=-0 ${T}`,
    { measurement: 'm', tags: {}, fields: { z: -0 } },
    { z: 'float' },
  ),
  lc(
    'int64 bounds as bigint (V3 rejects them, IP has no range check)',
    () =>
      new Point('m')
        .intField('max', 9223372036854775807n)
        .intField('min', -9223372036854775808n)
        .timestamp(T),
    `m max=9223372036854775807i,min=-9223372036854775808i ${T}`,
    { measurement: 'm', tags: {}, fields: { max: 9223372036854775807n, min: -9223372036854775808n } },
    { max: 'integer', min: 'integer' },
  ),
  lc(
    'integer above 2^53 exact (V3 parseInt loses it)',
    () => new Point('m').field('n', 9007199254740993n).intField('s', 12).timestamp(T),
    `m n=9007199254740993i,s=12i ${T}`,
    { measurement: 'm', tags: {}, fields: { n: 9007199254740993n, s: 12 } },
    { n: 'integer', s: 'integer' },
  ),
  lc(
    'booleans',
    () => new Point('m').field('t', true).booleanField('f', false).timestamp(T),
    `m t=true,f=false ${T}`,
    { measurement: 'm', tags: {}, fields: { t: true, f: false } },
    { t: 'boolean', f: 'boolean' },
  ),
  lc(
    'string with quote and backslash escaped',
    () => new Point('m').field('s', 'say "hi" \\o/').timestamp(T),
    `m s="say \\"hi\\" \\\\o/" ${T}`,
    { measurement: 'm', tags: {}, fields: { s: 'say "hi" \\o/' } },
    { s: 'string' },
  ),
  lc(
    'string keeps a raw line feed, CR and tab (IP writes the two characters \\n)',
    () => new Point('m').stringField('s', 'a\nb\r\tc').timestamp(T),
    `m s="a\nb\r\tc" ${T}`,
    { measurement: 'm', tags: {}, fields: { s: 'a\nb\r\tc' } },
    { s: 'string' },
  ),
  lc(
    'empty string field',
    () => new Point('m').field('s', '').timestamp(T),
    `m s="" ${T}`,
    { measurement: 'm', tags: {}, fields: { s: '' } },
    { s: 'string' },
  ),
  lc(
    'measurement escapes comma and space only',
    () => new Point('cpu load,x=1').field('v', 1).timestamp(T),
    `cpu\\ load\\,x=1 v=1 ${T}`,
    { measurement: 'cpu load,x=1', tags: {}, fields: { v: 1 } },
    { v: 'float' },
  ),
  lc(
    'measurement with a backslash not before a special (IP doubles it)',
    () => new Point('a\\b').field('v', 1).timestamp(T),
    `a\\b v=1 ${T}`,
    { measurement: 'a\\b', tags: {}, fields: { v: 1 } },
    { v: 'float' },
  ),
  lc(
    'tags escaped: comma, equals, space',
    () => new Point('m').tag('k ey', 'v,a=l ue').field('v', 1).timestamp(T),
    `m,k\\ ey=v\\,a\\=l\\ ue v=1 ${T}`,
    { measurement: 'm', tags: { 'k ey': 'v,a=l ue' }, fields: { v: 1 } },
    { v: 'float' },
  ),
  lc(
    'tag backslashes stay single (IP doubles them)',
    () =>
      new Point('m')
        .tag('path', 'C:\\dir\\x')
        .tag('bs', 'a\\,b')
        .tag('sp', 'a\\\\ b')
        .field('v', 1)
        .timestamp(T),
    `m,bs=a\\\\,b,path=C:\\dir\\x,sp=a\\\\\\ b v=1 ${T}`,
    { measurement: 'm', tags: { path: 'C:\\dir\\x', bs: 'a\\,b', sp: 'a\\\\ b' }, fields: { v: 1 } },
    { v: 'float' },
  ),
  lc(
    "tag value: a backslash, then a space (a case of InfluxDB's models/points_test.go)",
    () => new Point('m').tag('regions', '\\ east').field('value', 1).timestamp(T),
    `m,regions=\\\\ east value=1 ${T}`,
    { measurement: 'm', tags: { regions: '\\ east' }, fields: { value: 1 } },
    { value: 'float' },
  ),
  lc(
    'backslashes before separators in a tag key and values, then quotes and a line feed in a string',
    () =>
      new Point('m')
        .tag('\\ k', 'a\\,b')
        .tag('z', 'eas\\ t\\=')
        .stringField('s', 'say "x"\nnext')
        .timestamp(T),
    `m,\\\\ k=a\\\\,b,z=eas\\\\ t\\\\= s="say \\"x\\"\nnext" ${T}`,
    {
      measurement: 'm',
      tags: { '\\ k': 'a\\,b', z: 'eas\\ t\\=' },
      fields: { s: 'say "x"\nnext' },
    },
    { s: 'string' },
  ),
  lc(
    'tags sorted bytewise (V3 sorts by UTF-16 and puts default tags first)',
    () => new Point('m').tag('😀', 'x').tag('ﬀ', 'y').tag('Z', 'z').tag('a', 'w').field('v', 1).timestamp(T),
    `m,Z=z,a=w,ﬀ=y,😀=x v=1 ${T}`,
    { measurement: 'm', tags: { '😀': 'x', ﬀ: 'y', Z: 'z', a: 'w' }, fields: { v: 1 } },
    { v: 'float' },
  ),
  lc(
    'empty and null tags dropped',
    () => new Point('m').tag('e', '').tag('n', null).tag('k', 'v').field('v', 1).timestamp(T),
    `m,k=v v=1 ${T}`,
    { measurement: 'm', tags: { k: 'v' }, fields: { v: 1 } },
    { v: 'float' },
  ),
  lc(
    'field keys escaped; quote after a backslash escaped',
    () => new Point('m').field('f k,=', 1).field('q"uote', 2).field('b\\"q', 3).timestamp(T),
    `m f\\ k\\,\\==1,q"uote=2,b\\\\"q=3 ${T}`,
    { measurement: 'm', tags: {}, fields: { 'f k,=': 1, 'q"uote': 2, 'b\\"q': 3 } },
    { 'f k,=': 'float', 'q"uote': 'float', 'b\\"q': 'float' },
  ),
  lc(
    'unicode everywhere',
    () =>
      new Point('température')
        .tag('pièce', 'salle à manger')
        .field('°C', 21.5)
        .field('note', 'très chaud 🔥')
        .timestamp(T),
    `température,pièce=salle\\ à\\ manger °C=21.5,note="très chaud 🔥" ${T}`,
    {
      measurement: 'température',
      tags: { pièce: 'salle à manger' },
      fields: { '°C': 21.5, note: 'très chaud 🔥' },
    },
    { '°C': 'float', note: 'string' },
  ),
  lc(
    'timestamp from an ISO string with nanoseconds (IP keeps microseconds, V3 milliseconds)',
    () => new Point('m').field('v', 1).timestamp('2020-09-13T12:26:40.123456789Z'),
    `m v=1 1600000000123456789`,
    { measurement: 'm', tags: {}, fields: { v: 1 }, time: 1_600_000_000_123_456_789n },
    { v: 'float' },
  ),
  lc(
    'timestamp before 1970',
    () => new Point('m').field('v', 1).timestamp(new Date('1969-12-31T23:59:59.999Z')),
    `m v=1 -1000000`,
    { measurement: 'm', tags: {}, fields: { v: 1 }, time: -1_000_000n },
    { v: 'float' },
  ),
  lc(
    'plain object point as influxdb-python takes it',
    () =>
      Point.from({
        measurement: 'obj',
        tags: { host: 'a b' },
        fields: { v: 1.5, n: 7n, s: 'x', ok: true, skip: null },
        time: T,
      }),
    `obj,host=a\\ b v=1.5,n=7i,s="x",ok=true ${T}`,
    { measurement: 'obj', tags: { host: 'a b' }, fields: { v: 1.5, n: 7, s: 'x', ok: true } },
    { v: 'float', n: 'integer', s: 'string', ok: 'boolean' },
  ),
];
