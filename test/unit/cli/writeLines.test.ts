/**
 * `flightsql write` reads line protocol a chunk at a time: wherever the chunks split the text
 * (inside a quoted string holding line feeds, between the CR and LF of a CRLF, inside a
 * comment), the lines and their batches are those the shared scanner finds in the whole text.
 */
import fc from 'fast-check';
import { DataError } from '../../../src/errors';
import { streamLines } from '../../../src/cli/writeLines';
import { splitLines } from '../../../src/lineprotocol';

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
