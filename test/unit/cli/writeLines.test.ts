/**
 * `flightsql write` reads line protocol a chunk at a time: wherever the chunks split the text
 * (inside a quoted string holding line feeds, between the CR and LF of a CRLF, inside a
 * comment), the lines and their batches are those the shared scanner finds in the whole text.
 */
import fc from 'fast-check';
import { DataError } from '../../../src/errors';
import { streamLines } from '../../../src/cli/writeLines';
import { LineSplitter } from '../../../src/lineprotocol';
import { LineScanner, splitLines } from '../../../src/lineprotocol';

async function* chunksOf(parts: readonly string[]): AsyncGenerator<string> {
  for (const part of parts) yield part;
}

/** The batches `streamLines` sends for `parts`. */
async function batchesOf(parts: readonly string[], batchSize: number): Promise<string[][]> {
  const batches: string[][] = [];
  await streamLines(chunksOf(parts), batchSize, async (lines) => void batches.push([...lines]));
  return batches;
}

/** `text` cut at `cuts` (positions, any order, duplicates allowed). */
function split(text: string, cuts: readonly number[]): string[] {
  const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const parts: string[] = [];
  let from = 0;
  for (const cut of at) {
    parts.push(text.slice(from, cut));
    from = cut;
  }
  parts.push(text.slice(from));
  return parts;
}

const line = fc.oneof(
  fc.constantFrom(
    'cpu,host=a\\ b v=1i 1',
    'cpu s="two\nlines",t="x\\"y" 2',
    'cpu s="a\r\nb\n\nc" 3',
    '# a comment with "a quote',
    '',
    '   ',
    'mem free=2.5',
  ),
  fc.stringMatching(/^[a-z]{1,4} [a-z]=[0-9]{1,3}i( [0-9]{1,5})?$/),
);

/** Escaped keys and tag values: backslashes, and quotes that are plain characters there. */
const key = fc
  .array(fc.constantFrom('cpu', 'h', 'a\\ b', 'c\\,d', 'e\\=f', 'q"x', '"', '\\\\', 'é'), {
    minLength: 1,
    maxLength: 3,
  })
  .map((parts) => parts.join(''));

/** A string field value: raw line feeds (LF, CRLF), escaped quotes and backslashes, a stray backslash. */
const stringValue = fc
  .array(fc.constantFrom('a', ' ', ',', '=', '#', '\t', '\n', '\r\n', '\\"', '\\\\', '\\n', '\\\n', 'é'), {
    maxLength: 8,
  })
  .map((parts) => `"${parts.join('')}"`);

const fieldValue = fc.oneof(fc.constantFrom('1i', '-2.5', 't', 'false'), stringValue);

/** A valid point: measurement, tags, fields (string values among them), maybe a timestamp. */
const point = fc
  .tuple(
    key,
    fc.array(fc.tuple(key, key), { maxLength: 2 }),
    fc.array(fc.tuple(key, fieldValue), { minLength: 1, maxLength: 3 }),
    fc.option(fc.integer({ min: 0, max: 99999 }), { nil: undefined }),
    fc.constantFrom('', '  ', '\t'),
  )
  .filter(([measurement]) => !measurement.startsWith('#'))
  .map(([measurement, tags, fields, time, indent]) => {
    const tagText = tags.map(([k, v]) => `,${k}=${v}`).join('');
    const fieldText = fields.map(([k, v]) => `${k}=${v}`).join(',');
    return `${indent}${measurement}${tagText} ${fieldText}${time === undefined ? '' : ` ${time}`}`;
  });

const validLine = fc.oneof(
  { weight: 6, arbitrary: point },
  fc.constantFrom('', '   ', '# a comment with "a quote', '  #"x=" y="\\'),
);

/** Text cut into chunks: `parts` and, per part, `pending` after it was pushed. */
function splitterRun(parts: readonly string[]) {
  const splitter = new LineSplitter();
  const lines: string[] = [];
  const pending: number[] = [];
  for (const part of parts) {
    splitter.push(part, (l) => void lines.push(l));
    pending.push(splitter.pendingLength);
  }
  splitter.end((l) => void lines.push(l));
  return { lines, pending };
}

/**
 * For each prefix length of `text`, how much of it a splitter must still hold: the text after
 * the last line feed that the whole-text scanner finds between lines or at a line's end (not
 * inside a string of a line).
 */
function heldAfter(text: string): (length: number) => number {
  const inside = new Set<number>();
  const scanner = new LineScanner(text);
  while (scanner.next()) {
    for (
      let lf = text.indexOf('\n', scanner.start);
      lf >= 0 && lf < scanner.end;
      lf = text.indexOf('\n', lf + 1)
    )
      inside.add(lf);
  }
  // lastIndexOf takes a negative start as 0.
  const lineFeedBefore = (end: number) => (end > 0 ? text.lastIndexOf('\n', end - 1) : -1);
  return (length) => {
    let lf = lineFeedBefore(length);
    while (lf >= 0 && inside.has(lf)) lf = lineFeedBefore(lf);
    return length - lf - 1;
  };
}

describe('LineSplitter', () => {
  test('valid line protocol in any chunks: the lines of the whole text; only the open line is held', () => {
    fc.assert(
      fc.property(
        fc.array(validLine, { maxLength: 20 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 25 }),
        (lines, eol, finalEol, cuts) => {
          const text = lines.join(eol) + (finalEol ? eol : '');
          const parts = split(text, cuts);
          const run = splitterRun(parts);
          // Valid: every point is one line of the whole text.
          const points = lines.filter((l) => !/^[ \t]*(#|$)/.test(l)).map((l) => l.replace(/^[ \t]+/, ''));
          expect(splitLines(text)).toEqual(points);
          expect(run.lines).toEqual(points);
          // Held: at most the line being read (never the text of lines already complete), so
          // certainly no more than the longest line plus one chunk.
          const longest = Math.max(...lines.map((l) => l.length), 0) + eol.length;
          run.pending.forEach((held) => expect(held).toBeLessThanOrEqual(longest));
        },
      ),
      { numRuns: 500 },
    );
  });

  test('any text at all (unclosed quotes, stray CRs, byte order marks) in any chunks: the lines of the whole text, only the open line held', () => {
    // Pieces that steer the scan (a field's `=` before a quote opens a string) more often than
    // single characters would.
    const piece = fc.constantFrom(
      'm',
      ' ',
      'f=',
      ',',
      '=',
      '"',
      '\\',
      '\\"',
      '\n',
      '\r',
      '\r\n',
      '#',
      '\t',
      '\ufeff',
      ' f="',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 40 }).map((p) => p.join('')),
        fc.array(fc.nat(), { maxLength: 20 }),
        (text, cuts) => {
          const parts = split(text, cuts);
          const run = splitterRun(parts);
          expect(run.lines).toEqual(splitLines(text));
          // Exactly the line still going on is held: no line end missed, none made up.
          const held = heldAfter(text);
          let length = 0;
          parts.forEach((part, k) => {
            length += part.length;
            expect(run.pending[k]).toBe(held(length));
          });
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('a quote closed in a chunk without a line feed after it: the line ends at the next one', () => {
    const run = splitterRun(['m f="a\nb', 'c"', ' 1\n', 'n v=1i\n', 'o v=2i']);
    expect(run.lines).toEqual(['m f="a\nbc" 1', 'n v=1i', 'o v=2i']);
    expect(run.pending).toEqual([8, 10, 0, 0, 6]);
  });
});

describe('streamLines', () => {
  test('any chunking gives the lines of the whole text, in batches of batchSize', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 30 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        async (lines, eol, finalEol, cuts, batchSize) => {
          const text = lines.join(eol) + (finalEol ? eol : '');
          const batches = await batchesOf(split(text, cuts), batchSize);
          const expected = splitLines(text);
          expect(batches.flat()).toEqual(expected);
          expect(batches.every((b) => b.length > 0 && b.length <= batchSize)).toBe(true);
          expect(batches.slice(0, -1).every((b) => b.length === batchSize)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('each batch is sent before the next chunk is read', async () => {
    const events: string[] = [];
    async function* chunks() {
      for (const part of ['a v=1\nb v=2\n', 'c v=3\n', 'd v=4']) {
        events.push(`read ${JSON.stringify(part)}`);
        yield part;
      }
    }
    await streamLines(chunks(), 2, async (lines) => void events.push(`send ${lines.join('|')}`));
    expect(events).toEqual([
      'read "a v=1\\nb v=2\\n"',
      'send a v=1|b v=2',
      'read "c v=3\\n"',
      'read "d v=4"',
      'send c v=3|d v=4',
    ]);
  });

  test('a quote closed in a chunk without a line feed: later quote-free chunks are sent as read', async () => {
    // Reported: once a chunk boundary fell inside a string, the state stayed "inside" after the
    // quote closed, and every chunk without a quote was held unscanned until the end.
    const rest = Array.from({ length: 1000 }, (_, i) => `p${i} v=${i}i\n`);
    const events: string[] = [];
    async function* chunks() {
      for (const part of ['m f="a\nb', 'c"', ' 1\n', ...rest]) {
        events.push(`read ${part}`);
        yield part;
      }
    }
    await streamLines(chunks(), 1, async (lines) => void events.push(`send ${lines.join('|')}`));
    expect(events).toEqual([
      'read m f="a\nb',
      'read c"',
      'read  1\n',
      'send m f="a\nbc" 1',
      ...rest.flatMap((part) => [`read ${part}`, `send ${part.slice(0, -1)}`]),
    ]);
  });

  test('a string that never closes is refused once it passes 64 MiB, not held forever', async () => {
    async function* chunks() {
      yield 'cpu s="never closed\n';
      const block = `${'x'.repeat(1024 * 1024 - 1)}\n`;
      for (let i = 0; i < 70; i++) yield block;
    }
    const sent: string[] = [];
    const error = await streamLines(chunks(), 10, async (l) => void sent.push(...l), 'big.lp').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toBe('big.lp: a line longer than 64 MiB (an unclosed quote?)');
    expect(sent).toEqual([]);
  });
});
