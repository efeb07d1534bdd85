import fc from 'fast-check';
import {
  formatTime,
  MAX_NANOS,
  MIN_NANOS,
  NANOS_PER,
  normalizeTime,
  parseIsoTime,
  wirePrecision,
  type WirePrecision,
} from '../../../src/influx/timestamps';

test.each<[string, WirePrecision]>([
  ['ns', 'n'],
  ['n', 'n'],
  ['us', 'u'],
  ['u', 'u'],
  ['ms', 'ms'],
  ['s', 's'],
  ['m', 'm'],
  ['h', 'h'],
])('precision %s is sent as %s', (name, code) => {
  expect(wirePrecision(name)).toBe(code);
});

test.each(['µs', 'sec', 'NS', '', 'd', 'toString', '__proto__'])('precision %j refused', (name) => {
  expect(() => wirePrecision(name)).toThrow(/invalid precision/);
});

test.each<[string, bigint]>([
  ['2020-09-13T12:26:40Z', 1_600_000_000_000_000_000n],
  ['2020-09-13T12:26:40.1Z', 1_600_000_000_100_000_000n],
  ['2020-09-13T12:26:40.123456789Z', 1_600_000_000_123_456_789n],
  ['2020-09-13T14:26:40.000000001+02:00', 1_600_000_000_000_000_001n],
  ['2020-09-13T12:26:40-0130', 1_600_005_400_000_000_000n],
  ['2020-09-13 12:26:40z', 1_600_000_000_000_000_000n],
  ['1969-12-31T23:59:59.999999999Z', -1n],
  ['0001-01-01T00:00:00Z', -62_135_596_800_000_000_000n],
  ['2000-02-29T00:00:00Z', 951_782_400_000_000_000n],
])('RFC 3339 %s is exact to the nanosecond', (text, ns) => {
  expect(parseIsoTime(text)).toBe(ns);
});

test.each([
  '2021-02-29T00:00:00Z',
  '2020-01-01T24:00:00Z',
  '2020-01-01T00:60:00Z',
  '2020-01-01T00:00:60Z',
  '2020-01-01T00:00:00.1234567891Z',
  '2020-01-01',
  'yesterday',
  '2020-01-01T00:00:00+25:00',
])('%s refused', (text) => {
  expect(() => parseIsoTime(text)).toThrow();
});

test('formatTime floors toward the past and refuses what InfluxDB cannot store', () => {
  expect(formatTime(-1n, 's')).toBe('-1');
  expect(formatTime(-1_000_000_000n, 's')).toBe('-1');
  expect(formatTime(-1_000_000_001n, 's')).toBe('-2');
  expect(formatTime(1_999_999_999n, 's')).toBe('1');
  expect(formatTime(MAX_NANOS, 'n')).toBe('9223372036854775806');
  expect(formatTime(MAX_NANOS + 1n, 'n')).toBeUndefined();
  expect(formatTime(MIN_NANOS - 1n, 'ms')).toBeUndefined();
  expect(formatTime(9_223_372_036, 's')).toBe('9223372036');
  expect(formatTime(9_223_372_037, 's')).toBeUndefined();
  expect(formatTime(Number.MAX_SAFE_INTEGER, 'n')).toBe('9007199254740991');
});

test('property: the formatted time is the floor of the instant in the unit (bigint math, no float error)', () => {
  const precisions: WirePrecision[] = ['n', 'u', 'ms', 's', 'm', 'h'];
  fc.assert(
    fc.property(fc.bigInt({ min: MIN_NANOS, max: MAX_NANOS }), fc.constantFrom(...precisions), (ns, p) => {
      const q = BigInt(formatTime(ns, p)!);
      const unit = NANOS_PER[p];
      return q * unit <= ns && ns < (q + 1n) * unit;
    }),
    { numRuns: 500 },
  );
});

test('property: a Date and its ISO text give the same nanoseconds', () => {
  fc.assert(
    fc.property(
      fc.date({
        min: new Date('0001-01-01T00:00:00Z'),
        max: new Date('9999-12-31T23:59:59Z'),
        noInvalidDate: true,
      }),
      (d) => {
        return (
          normalizeTime(d) === parseIsoTime(d.toISOString()) &&
          normalizeTime(d) === BigInt(d.getTime()) * 1_000_000n
        );
      },
    ),
    { numRuns: 500 },
  );
});
