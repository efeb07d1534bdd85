/**
 * The per-position caches of Point (escaped keys, `,key=value` tag pairs, quoted string
 * values) must be invisible: same lines as without them, whatever the sequence of points.
 */
import { Point } from '../../../src/influx';

test('a cached tag value or string is never reused under another key at the same position', () => {
  expect(new Point('m').tag('a', 'x y').stringField('s', 'v "q"').toLineProtocol()).toBe(
    'm,a=x\\ y s="v \\"q\\""',
  );
  expect(new Point('m').tag('b', 'x y').stringField('t', 'v "q"').toLineProtocol()).toBe(
    'm,b=x\\ y t="v \\"q\\""',
  );
  expect(new Point('m').tag('a', 'x y').stringField('s', 'v "q"').toLineProtocol()).toBe(
    'm,a=x\\ y s="v \\"q\\""',
  );
});

test('repeated values come out identical, rotating or not', () => {
  const statuses = ['ok', 'degraded', 'down "hard" \\o/'];
  for (let i = 0; i < 3000; i++) {
    const host = `h ${i % 7}`;
    const status = statuses[i % 3]!;
    const line = new Point('m')
      .tag('host', host)
      .tag('dc', i % 2 ? 'eu' : 'us')
      .stringField('status', status)
      .toLineProtocol();
    const expected = `m,dc=${i % 2 ? 'eu' : 'us'},host=h\\ ${i % 7} status="${status.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
    if (line !== expected) throw new Error(`${i}: ${line} !== ${expected}`);
  }
});

test('values that never repeat (more than the caches hold) stay correct, and checks still apply', () => {
  for (let i = 0; i < 12_000; i++) {
    const line = new Point('u').tag('id', `id-${i}`).stringField('msg', `message ${i}`).toLineProtocol();
    if (line !== `u,id=id-${i} msg="message ${i}"`) throw new Error(line);
  }
  expect(() => new Point('u').tag('id', 'bad\\')).toThrow(/ends with a backslash/);
  expect(() => new Point('u').stringField('msg', 'lone \ud800')).toThrow(/lone surrogate/);
  const long = 'x'.repeat(100);
  expect(new Point('u').tag('id', long).stringField('msg', long).toLineProtocol()).toBe(
    `u,id=${long} msg="${long}"`,
  );
});

test('an invalid value is refused every time, not only the first', () => {
  for (let i = 0; i < 3; i++) {
    expect(() => new Point('m').tag('k', 'a\nb')).toThrow(/line feed/);
    expect(() => new Point('m').stringField('s', '\udc00')).toThrow(/lone surrogate/);
  }
});
