/**
 * Client and server cannot disagree: what the serializer writes, the shared scanner splits back
 * into the same lines, and the embedded server's parser reads back the same values
 * (fast-check over points with every character line protocol treats specially).
 */
import fc from 'fast-check';
import { Point } from '../../../src/influx';
import { linesOfRecords } from '../../../src/influx/records';
import { splitLines } from '../../../src/lineprotocol';
import { parseLineProtocol } from '../../../src/server/http/lineProtocol';
import { lineCases } from '../influx/lineProtocolCases';

const special = [',', '=', ' ', '"', "'", '\\', '\t', '\n', '\r', '#', '\0', 'é', '😀', 'a', 'b', '0', '-'];
const text = (max: number) => fc.string({ unit: fc.constantFrom(...special), minLength: 1, maxLength: max });
function accepted(build: () => unknown): boolean {
  try {
    build();
    return true;
  } catch {
    return false;
  }
}

const fieldValue = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.string({ unit: fc.oneof(fc.constantFrom(...special), fc.constantFrom('𝄞', '\u2028')), maxLength: 12 }),
  fc.boolean(),
);
const pointArb = fc
  .record({
    measurement: text(8),
    tags: fc.dictionary(text(6), text(8), { maxKeys: 4 }),
    fields: fc.dictionary(text(6), fieldValue, { minKeys: 1, maxKeys: 4 }),
    time: fc.option(fc.bigInt({ min: -9_223_372_036_854_775_806n, max: 9_223_372_036_854_775_806n }), {
      nil: undefined,
    }),
  })
  // Only the points the serializer accepts: the rest are refused before anything is sent.
  .filter((p) => accepted(() => Point.from(p).toLineProtocol()));

/** What a server parse gives for one line, in the shape of a point object. */
function parsed(line: string) {
  const { points, errors } = parseLineProtocol(line, { precision: 'ns', now: 0n });
  if (errors.length > 0) throw new Error(`${JSON.stringify(line)}: ${errors[0]!.message}`);
  expect(points).toHaveLength(1);
  const p = points[0]!;
  return {
    measurement: p.measurement,
    tags: Object.fromEntries(p.tagKeys.map((k, i) => [k, p.tagValues[i]])),
    fields: Object.fromEntries(p.fieldKeys.map((k, i) => [k, p.fieldValues[i]])),
    time: p.time,
  };
}

test('any batch of Points, serialised and joined, splits back into the same lines (fast-check)', () => {
  fc.assert(
    fc.property(
      fc.array(pointArb, { maxLength: 12 }),
      fc.constantFrom('\n', '\r\n'),
      fc.boolean(),
      (points, eol, noise) => {
        const lines = points.map((p) => Point.from(p).toLineProtocol());
        // Blank and comment lines between the points change nothing.
        const body = lines.map((l) => (noise ? `# note "\n\n${l}` : l)).join(eol) + (noise ? eol : '');
        expect(splitLines(body)).toEqual(lines);
        expect(linesOfRecords(body, 'n')).toEqual(lines);
      },
    ),
    { numRuns: 2000 },
  );
});

test('the server parses every serialised point back to its values (fast-check)', () => {
  fc.assert(
    fc.property(fc.array(pointArb, { minLength: 1, maxLength: 8 }), (points) => {
      const body = points.map((p) => Point.from(p).toLineProtocol()).join('\n');
      const { points: read, errors } = parseLineProtocol(body, { precision: 'ns', now: 0n });
      expect(errors).toEqual([]);
      expect(read).toHaveLength(points.length);
      points.forEach((p, i) => {
        const r = read[i]!;
        expect(r.measurement).toBe(p.measurement);
        expect(Object.fromEntries(r.tagKeys.map((k, j) => [k, r.tagValues[j]]))).toEqual(p.tags);
        expect(Object.fromEntries(r.fieldKeys.map((k, j) => [k, r.fieldValues[j]]))).toEqual(p.fields);
        expect(r.time).toBe(p.time ?? 0n);
      });
    }),
    { numRuns: 1000 },
  );
});

describe('the line protocol table reads back on the embedded server as on influxd', () => {
  test.each(lineCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const p = parsed(c.line);
    expect(p.measurement).toBe(c.stored.measurement);
    expect(p.tags).toEqual(c.stored.tags);
    expect(p.time).toBe(c.stored.time);
    expect(Object.keys(p.fields).sort()).toEqual(Object.keys(c.stored.fields).sort());
    for (const [key, value] of Object.entries(c.stored.fields)) {
      const read = p.fields[key];
      if (typeof value === 'number' && typeof read === 'bigint') expect(read).toBe(BigInt(value));
      else expect(read).toEqual(value);
    }
  });
});

test('write(text): a line feed inside a string value does not split the point', () => {
  expect(linesOfRecords('nl,k=a s="x\ny" 1767225600000000000', 'n')).toEqual([
    'nl,k=a s="x\ny" 1767225600000000000',
  ]);
  const same = new Point('nl').tag('k', 'a').stringField('s', 'x\ny').timestamp(1767225600000000000n);
  expect(linesOfRecords([same, 'nl,k=a s="x\ny" 1767225600000000000'], 'n')).toEqual([
    'nl,k=a s="x\ny" 1767225600000000000',
    'nl,k=a s="x\ny" 1767225600000000000',
  ]);
});
