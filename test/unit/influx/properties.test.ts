/** Properties of the pure line-protocol code (the server round trip is in test/integration/influx). */
import fc from 'fast-check';
import { Point } from '../../../src/influx';
import { compareKeys } from '../../../src/influx/tagOrder';
import { escapeTagValue, escapeFieldKey, formatFloat } from '../../../src/influx/lineProtocol';

test('floats are written as the shortest text that reads back as the same double', () => {
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) =>
      Object.is(Number(formatFloat(x, 'f')), x),
    ),
    { numRuns: 1000 },
  );
});

test('tag keys are ordered by their UTF-8 bytes (Buffer.compare), whatever the characters', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
      const ours = Math.sign(compareKeys(`,${a}=`, `,${b}=`));
      return ours === Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
    }),
    { numRuns: 1000 },
  );
});

test('escaping never leaves an unescaped separator, and unescaping as InfluxDB does gives the text back', () => {
  const unescapeTag = (s: string) => s.replace(/\\([,= ])/g, '$1');
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(',', '=', ' ', '\\', '"', 'a', 'é') }), (text) => {
      let escaped: string;
      try {
        escaped = escapeTagValue(text, 'k');
      } catch {
        return true; // refused: cannot be stored as given
      }
      // Every separator is preceded by a backslash, and the server's unescaping restores the text.
      return !/(?<!\\)[,= ]/.test(escaped) && unescapeTag(escaped) === text;
    }),
    { numRuns: 1000 },
  );
});

test('field keys: accepted keys unescape to themselves', () => {
  const unescapeField = (s: string) => s.replace(/\\([,= "])/g, '$1');
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(',', '=', ' ', '\\', '"', 'a'), minLength: 1 }), (key) => {
      try {
        return unescapeField(escapeFieldKey(key)) === key;
      } catch {
        return true;
      }
    }),
    { numRuns: 1000 },
  );
});

test('the order tags are set in does not change the line', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(
        fc.tuple(
          fc
            .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 4 })
            .filter((k) => /^[a-z]+$/i.test(k)),
          fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 4 }).filter((v) => /^\w+$/.test(v)),
        ),
        { selector: (t) => t[0], maxLength: 8 },
      ),
      (tags) => {
        const forward = new Point('m');
        const backward = new Point('m');
        for (const [k, v] of tags) forward.tag(k, v);
        for (const [k, v] of [...tags].reverse()) backward.tag(k, v);
        return forward.field('v', 1).toLineProtocol() === backward.field('v', 1).toLineProtocol();
      },
    ),
    { numRuns: 300 },
  );
});
