/** In a fresh module, before any point was made: the caches must not let anything through. */
import { Point } from '../../../src/influx';

test('the first point of a process is checked like any other', () => {
  expect(() => new Point('')).toThrow(/measurement name is empty/);
  expect(() => new Point('m').tag('', 'v')).toThrow(/tag key is empty/);
  expect(() => new Point('m').field('', 1)).toThrow(/field key is empty/);
});
