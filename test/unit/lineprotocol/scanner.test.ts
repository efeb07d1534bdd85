/** The shared line scanner and element rules (src/lineprotocol), case by case. */
import {
  LineScanner,
  findLineEnd,
  keyElementEnd,
  fieldKeyEnd,
  readsAsOneLine,
  splitLines,
  unescapeElement,
  TAG_ESCAPES,
} from '../../../src/lineprotocol';

/** Every line as [lineNumber, text]. */
function scan(text: string): [number, string][] {
  const out: [number, string][] = [];
  const scanner = new LineScanner(text);
  while (scanner.next()) out.push([scanner.lineNumber, text.slice(scanner.start, scanner.end)]);
  return out;
}

describe('lines', () => {
  test('a line feed inside a quoted string value does not end the line', () => {
    expect(splitLines('nl,k=a s="x\ny" 1767225600000000000\nm v=1')).toEqual([
      'nl,k=a s="x\ny" 1767225600000000000',
      'm v=1',
    ]);
  });

  test.each([
    ['escaped quotes and backslashes inside a string', 'm s="a\\"\nb\\\\",t="\n" 1\nm v=2', 2],
    ['a second field holds the string', 'm a=1,s="x\ny" 1\nm v=2', 2],
    ['quotes in the measurement and tags are not strings', 'm"a,t="x v=1\nm v=2', 2],
    ['a quote in a field key is not a string', 'm q"k=1\nm v=2', 2],
    ['commas and equals inside a string do not count', 'm s="a=b,c=\n",t=1 1\nm v=2', 2],
    ['escaped separators', 'm\\ x,t\\ k=a\\,b s="\n" 1\nm v=2', 2],
  ])('%s', (_name, text, count) => {
    expect(splitLines(text)).toHaveLength(count);
  });

  test('blank lines, comments, leading blanks, CRLF and a byte order mark; line numbers count every line', () => {
    const text = '\uFEFF# c "quote\r\n\r\n  \t m v=1 1\r\n\nm s="a\r\nb" 2\r\n# m v=3\nm v=4';
    expect(scan(text)).toEqual([
      [3, 'm v=1 1'],
      [5, 'm s="a\r\nb" 2'],
      [8, 'm v=4'],
    ]);
  });

  test('a comment ends at its line feed, whatever it holds (1.x would let its quote swallow lines)', () => {
    expect(splitLines('# a b="c\nm v=1\n# "\nm v=2')).toEqual(['m v=1', 'm v=2']);
  });

  test('a backslash never takes a line feed along: the line with it fails alone', () => {
    expect(splitLines('m,t=a\\\nm v=1')).toEqual(['m,t=a\\', 'm v=1']);
  });

  test('an unterminated string runs to the end of the text', () => {
    expect(splitLines('m s="open\nm v=1\nm v=2')).toEqual(['m s="open\nm v=1\nm v=2']);
    expect(findLineEnd('m s="open\nx', 0)).toBe(11);
  });

  test("1.x's quirk is kept: after `\\\\ ` in the key, `=` and quotes count as in fields", () => {
    // The tag key `\ k` reads as a backslash and a space; the splitter sees a real space there.
    expect(splitLines('m,\\\\ k=a"b v=1\nm v=2')).toHaveLength(1);
    expect(readsAsOneLine('m,\\\\ k=a"b v=1')).toBe(false);
    expect(readsAsOneLine('m,\\\\ k=ab s="x\ny" 1')).toBe(true);
    expect(readsAsOneLine('m,k=\\\\ east value=1')).toBe(true);
  });
});

describe('elements', () => {
  test('a separator after a backslash does not end a measurement, tag key or tag value', () => {
    const line = 'm,regions=\\\\ east,b=c\\\\,d v=1';
    const value = line.indexOf('=') + 1;
    const end = keyElementEnd(line, value, line.length, false);
    expect(line.slice(value, end)).toBe('\\\\ east');
    expect(unescapeElement(line.slice(value, end), TAG_ESCAPES)).toBe('\\ east');
    const second = line.indexOf('c');
    expect(
      unescapeElement(line.slice(second, keyElementEnd(line, second, line.length, false)), TAG_ESCAPES),
    ).toBe('c\\,d');
  });

  test('field keys end outside backslash pairs', () => {
    expect(fieldKeyEnd('a\\\\=1', 0, 5)).toBe(3);
    expect(fieldKeyEnd('a\\==1', 0, 5)).toBe(3);
  });

  test.each([
    ['a\\,b', 'a,b'],
    ['a\\\\,b', 'a\\,b'],
    ['a\\\\\\,b', 'a\\\\,b'],
    ['a\\"b', 'a\\"b'],
    ['a\\\\b', 'a\\\\b'],
    ['x\\', 'x\\'],
  ])('tag text %j reads %j', (raw, text) => {
    expect(unescapeElement(raw, TAG_ESCAPES)).toBe(text);
  });
});
