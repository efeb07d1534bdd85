/** parseExactJson: JSON.parse with every number kept as written. */
import fc from 'fast-check';
import { JsonNumber, parseExactJson } from '../../../src/server/exactJson';

/** What parseExactJson gives, from JSON.parse's value (numbers as their shortest text). */
function expected(value: unknown): unknown {
  if (typeof value === 'number') return new JsonNumber(JSON.stringify(value));
  if (Array.isArray(value)) return value.map(expected);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expected(v)]));
  return value;
}

test('any JSON parses as JSON.parse does, numbers kept as their text', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const text = JSON.stringify(value);
      expect(parseExactJson(text)).toEqual(expected(JSON.parse(text)));
    }),
    { numRuns: 300 },
  );
});

test('numbers beyond a double, exponents and whitespace', () => {
  expect(parseExactJson(' { "a" : [ 12345678901234567891 , -0.5e-3, 1E21 ] , "b":"-12" } ')).toEqual({
    a: [new JsonNumber('12345678901234567891'), new JsonNumber('-0.5e-3'), new JsonNumber('1E21')],
    b: '-12',
  });
});

test('strings with quotes, escapes and digits stay strings', () => {
  expect(parseExactJson('["a\\"1", "\\\\", "2", "\\u00001"]')).toEqual(['a"1', '\\', '2', '\u00001']);
});

test('invalid JSON throws as JSON.parse does', () => {
  for (const bad of ['{', '01', '1.', '-', '[1,]', '{"a" 1}'])
    expect(() => parseExactJson(bad)).toThrow(SyntaxError);
});
