import { pack } from '../../../src/influx/udp';

test('lines are packed into datagrams of at most maxPayload bytes, never split', () => {
  const lines = ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40), 'é'.repeat(20)];
  const datagrams = pack(lines, 81);
  expect(datagrams.map((d) => d.toString())).toEqual([
    `${'a'.repeat(40)}\n${'b'.repeat(40)}`,
    `${'c'.repeat(40)}\n${'é'.repeat(20)}`,
  ]);
  expect(pack(lines, 10_000)).toHaveLength(1);
  expect(pack([], 10)).toEqual([]);
  expect(() => pack(['x'.repeat(11)], 10)).toThrow(/does not fit in one UDP datagram/);
});
