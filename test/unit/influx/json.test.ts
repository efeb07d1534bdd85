import { lines, parseJson } from '../../../src/influx/json';

test('integers beyond 2^53 become bigint; everything else is JSON.parse', () => {
  expect(
    parseJson(
      '{"a":[9223372036854775807,-9223372036854775808,9007199254740991,9007199254740993,1.5e300,12345678901234567890.5]}',
    ),
  ).toEqual({
    a: [
      9223372036854775807n,
      -9223372036854775808n,
      9007199254740991,
      9007199254740993n,
      1.5e300,
      1.2345678901234567e19,
    ],
  });
  expect(parseJson('{"s":"9223372036854775807","n":1}')).toEqual({ s: '9223372036854775807', n: 1 });
  expect(parseJson('{"s":"quote \\" 12345678901234567890","n":12345678901234567890}')).toEqual({
    s: 'quote " 12345678901234567890',
    n: 12345678901234567890n,
  });
});

test('a string that looks like the internal marker stays a string', () => {
  const text = '{"s":"\\u0001int:5","n":12345678901234567890}';
  expect(parseJson(text)).toEqual({ s: '\u0001int:5', n: 12345678901234567890n });
});

async function* chunks(...parts: (string | Buffer)[]) {
  for (const p of parts) yield Buffer.isBuffer(p) ? p : Buffer.from(p);
}

test('lines: split across chunks, multi-byte characters cut in two, blank lines skipped', async () => {
  const euro = Buffer.from('€');
  const out: string[] = [];
  for await (const line of lines(
    chunks('{"a":1}\n{"b":', '2}\n\n{"c":"', euro.subarray(0, 1), euro.subarray(1), '"}'),
  ))
    out.push(line);
  expect(out).toEqual(['{"a":1}', '{"b":2}', '{"c":"€"}']);
});
