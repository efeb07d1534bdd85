/**
 * Line protocol against a real influxd 1.6.7: every case of the table is written and read
 * back unchanged, and random names, tags and values survive the round trip (fast-check).
 */
import fc from 'fast-check';
import { InfluxDBClientError, Point, quoteIdent, type ResultValue } from '../../../src/influx';
import { lineCases } from '../../unit/influx/lineProtocolCases';
import { uniqueName, useInfluxd } from '../influxd';

const fx = useInfluxd();

type Stored = {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, ResultValue>;
  time: bigint;
};

/** Reads back every point of the given measurements (one request), grouped so that tags stay apart from fields. */
async function readBack(database: string, measurements: readonly string[]): Promise<Stored[]> {
  const q = measurements.map((m) => `SELECT * FROM ${quoteIdent(m)} GROUP BY *`).join('; ');
  const rs = await fx.client.query(q, { database, epoch: 'ns' });
  const out: Stored[] = [];
  for (const statement of rs.statements) {
    for (const series of statement.series) {
      for (const row of series.values ?? []) {
        const fields: Record<string, ResultValue> = {};
        series.columns.forEach((c, i) => {
          if (c !== 'time' && row[i] !== null) fields[c] = row[i]!;
        });
        out.push({
          measurement: series.name!,
          tags: { ...(series.tags ?? {}) },
          fields,
          time: row[0] as bigint,
        });
      }
    }
  }
  return out;
}

/** Compares a read-back value with what was written: floats bit-exact (-0 included), integers exact. */
function sameValue(read: ResultValue, written: number | bigint | string | boolean): boolean {
  if (typeof written === 'bigint')
    return (typeof read === 'number' || typeof read === 'bigint') && BigInt(read) === written;
  if (typeof written === 'number')
    return (typeof read === 'number' || typeof read === 'bigint') && Object.is(Number(read), written);
  return read === written;
}

describe('the line protocol table, written to influxd and read back', () => {
  test.each(lineCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const db = uniqueName('lp');
    await fx.client.createDatabase(db);
    await fx.client.write(c.point().toLineProtocol(), { database: db, protocol: 'line' });
    const [stored, ...more] = await readBack(db, [c.stored.measurement]);
    expect(more).toEqual([]);
    expect(stored!.measurement).toBe(c.stored.measurement);
    expect(stored!.tags).toEqual(c.stored.tags);
    expect(stored!.time).toBe(c.stored.time);
    expect(Object.keys(stored!.fields).sort()).toEqual(Object.keys(c.stored.fields).sort());
    for (const [key, value] of Object.entries(c.stored.fields)) {
      expect([key, sameValue(stored!.fields[key]!, value)]).toEqual([key, true]);
    }
    const types = await fx.client.query(`SHOW FIELD KEYS FROM ${quoteIdent(c.stored.measurement)}`, {
      database: db,
    });
    expect(Object.fromEntries(types.getPoints().map((p) => [p['fieldKey'], p['fieldType']]))).toEqual(
      c.types,
    );
    await fx.client.dropDatabase(db);
  });
});

test('unsigned integers are written as the spec says, and influxd 1.6.7 refuses them with InfluxDBClientError', async () => {
  const db = uniqueName('uint');
  await fx.client.createDatabase(db);
  const point = new Point('m').uintField('u', 18446744073709551615n).timestamp(1n);
  expect(point.toLineProtocol()).toBe('m u=18446744073709551615u 1');
  const error = await fx.client.writePoints([point], { database: db }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InfluxDBClientError);
  expect(error).toMatchObject({
    code: 'ERR_HTTP_400',
    httpStatus: 400,
    serverMessage: expect.stringMatching(/invalid number/),
  });
});

// Characters that line protocol or InfluxQL treat specially, plus some multi-byte ones.
const special = [
  ',',
  '=',
  ' ',
  '"',
  "'",
  '\\',
  '\t',
  '\n',
  '\r',
  '#',
  ';',
  '\0',
  '$',
  'é',
  '😀',
  'ﬀ',
  'Z',
  'a',
  'b',
  '0',
  '-',
  '_',
];
const text = (chars: string[], max: number) =>
  fc.string({ unit: fc.constantFrom(...chars), minLength: 1, maxLength: max });
function accepted(build: () => unknown): boolean {
  try {
    build();
    return true;
  } catch {
    return false;
  }
}

// InfluxQL cannot name a measurement holding CR or NUL (its scanner turns CR into LF and
// stops at NUL), so reading those back by name is impossible; tags and fields come back as
// data and may hold anything.
const measurementArb = text(
  special.filter((c) => c !== '\r' && c !== '\0'),
  8,
).filter((m) => accepted(() => new Point(m)));
const tagKeyArb = text(special, 6).filter((k) => accepted(() => new Point('m').tag(k, 'v')));
const tagValueArb = text(special, 8).filter((v) => accepted(() => new Point('m').tag('k', v)));
const fieldKeyArb = text(special, 6).filter((k) => accepted(() => new Point('m').field(k, 1)));
const fieldValueArb = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.string({
    unit: fc.oneof(fc.constantFrom(...special), fc.constantFrom('𝄞', '中', '\u2028')),
    maxLength: 12,
  }),
  fc.boolean(),
);
const pointArb = fc
  .record({
    measurement: measurementArb,
    tags: fc.dictionary(tagKeyArb, tagValueArb, { maxKeys: 4 }),
    fields: fc.dictionary(fieldKeyArb, fieldValueArb, { minKeys: 1, maxKeys: 4 }),
    time: fc.bigInt({ min: -9_223_372_036_854_775_806n, max: 9_223_372_036_854_775_806n }),
  })
  // A backslash before an escaped separator in a tag is refused only with the whole line, when
  // it would make influxd misread where the line ends.
  .filter((p) => accepted(() => Point.from(p).toLineProtocol()));

// INFLUX_PROPERTY_RUNS raises the number of runs when hunting for counterexamples.
const runs = Number(process.env.INFLUX_PROPERTY_RUNS ?? 60);

test(
  'random names, tags and values survive the round trip through influxd (fast-check)',
  async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(pointArb, { minLength: 1, maxLength: 8, selector: (p) => p.measurement }),
        async (points) => {
          const db = uniqueName('prop');
          await fx.client.createDatabase(db);
          try {
            await fx.client.writePoints(points, { database: db });
            const stored = await readBack(
              db,
              points.map((p) => p.measurement),
            );
            expect(stored).toHaveLength(points.length);
            for (const p of points) {
              const s = stored.find((x) => x.measurement === p.measurement)!;
              expect(s).toBeDefined();
              expect(s.tags).toEqual(Object.fromEntries(Object.entries(p.tags).filter(([, v]) => v !== '')));
              expect(s.time).toBe(p.time);
              expect(Object.keys(s.fields).sort()).toEqual(Object.keys(p.fields).sort());
              for (const [key, value] of Object.entries(p.fields)) {
                if (!sameValue(s.fields[key]!, value))
                  throw new Error(
                    `field ${JSON.stringify(key)}: wrote ${String(value)}, read ${String(s.fields[key])}`,
                  );
              }
            }
          } finally {
            await fx.client.dropDatabase(db);
          }
        },
      ),
      { numRuns: runs },
    );
  },
  60_000 + runs * 200,
);
