/** The progress meter: draws only on a TTY, at most every 250 ms, clears its line at the end. */
import { Progress, formatBytes, formatElapsed, rate } from '../../../src/cli/progress';

/** A fake stderr: records what is written. */
function fakeStream(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return {
    writes,
    stream: {
      isTTY,
      columns,
      write: (chunk: string | Uint8Array) => {
        writes.push(String(chunk));
        return true;
      },
    },
  };
}

const CLEAR = '\r\x1b[2K';

beforeEach(() => {
  jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('Progress', () => {
  test('on a TTY: redraws at most every 250 ms, with rows, bytes, rate and elapsed', () => {
    const { stream, writes } = fakeStream(true);
    const progress = new Progress('write cpu.lp', stream, 'points', 0);
    progress.add(1000, 50_000);
    expect(writes).toEqual([`${CLEAR}write cpu.lp: 1,000 points, 48.8 KB, 0 points/s, 0.0 s`]);
    jest.setSystemTime(Date.now() + 100);
    progress.add(1000, 50_000); // 100 ms after the last draw: counted, not drawn
    expect(writes).toHaveLength(1);
    jest.setSystemTime(Date.now() + 150);
    progress.add(2000, 1_000_000); // 250 ms: drawn
    expect(writes).toHaveLength(2);
    expect(writes[1]).toBe(`${CLEAR}write cpu.lp: 4,000 points, 1.0 MB, 16,000 points/s, 0.3 s`);
    expect([progress.rows, progress.bytes, progress.elapsedMs]).toEqual([4000, 1_100_000, 250]);
    progress.done();
    expect(writes[2]).toBe(CLEAR);
  });

  test('the timer redraws while nothing arrives (elapsed keeps moving) and stops at done()', () => {
    const { stream, writes } = fakeStream(true);
    const progress = new Progress('query', stream, 'rows', 0);
    jest.advanceTimersByTime(1000);
    expect(writes).toEqual([
      `${CLEAR}query: 0 rows, 0 B, 0 rows/s, 0.3 s`,
      `${CLEAR}query: 0 rows, 0 B, 0 rows/s, 0.5 s`,
      `${CLEAR}query: 0 rows, 0 B, 0 rows/s, 0.8 s`,
      `${CLEAR}query: 0 rows, 0 B, 0 rows/s, 1.0 s`,
    ]);
    progress.done();
    progress.done(); // a second call does nothing
    jest.advanceTimersByTime(5000);
    progress.add(10, 10); // after done: counted, never drawn
    expect(writes.slice(4)).toEqual([CLEAR]);
    expect(progress.rows).toBe(10);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('nothing shows before the delay (default 1 s): a short query or write never flashes a meter', () => {
    const { stream, writes } = fakeStream(true);
    const progress = new Progress('query', stream);
    progress.add(1000, 1000);
    jest.advanceTimersByTime(750);
    progress.add(1000, 1000);
    expect(writes).toEqual([]);
    jest.advanceTimersByTime(250);
    expect(writes).toEqual([`${CLEAR}query: 2,000 rows, 2.0 KB, 2,000 rows/s, 1.0 s`]);
    progress.done();
  });

  test('not a TTY: writes nothing, starts no timer, still counts', () => {
    const { stream, writes } = fakeStream(false);
    const progress = new Progress('write', stream);
    expect(jest.getTimerCount()).toBe(0);
    progress.add(5, 500);
    jest.advanceTimersByTime(2000);
    progress.done();
    expect(writes).toEqual([]);
    expect([progress.rows, progress.bytes, progress.elapsedMs]).toEqual([5, 500, 2000]);
  });

  test('done() before anything was drawn leaves the terminal alone', () => {
    const { stream, writes } = fakeStream(true);
    new Progress('x', stream).done();
    expect(writes).toEqual([]);
  });

  test('the line is cut one column short of the terminal width (no wrap breaks the \\r)', () => {
    const { stream, writes } = fakeStream(true, 20);
    const progress = new Progress('a-very-long-label', stream, 'rows', 0);
    progress.add(1, 1);
    expect(writes[0]).toBe(`${CLEAR}a-very-long-label: `);
    expect(writes[0]!.length - CLEAR.length).toBe(19);
    progress.done();
  });

  test('the timer does not keep the process alive (unref)', () => {
    jest.useRealTimers();
    const spy = jest.spyOn(global, 'setInterval');
    const { stream } = fakeStream(true);
    const progress = new Progress('x', stream);
    const timer = spy.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    progress.done();
    spy.mockRestore();
  });
});

describe('formatting', () => {
  test.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KB'],
    [1536, '1.5 KB'],
    [5 * 1024 ** 2, '5.0 MB'],
    [3 * 1024 ** 3, '3.00 GB'],
  ])('formatBytes(%d) = %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  test.each([
    [0, '0.0 s'],
    [420, '0.4 s'],
    [59_900, '59.9 s'],
    [65_000, '1m 05s'],
    [7_384_000, '2h 03m 04s'],
  ])('formatElapsed(%d) = %s', (ms, text) => {
    expect(formatElapsed(ms)).toBe(text);
  });

  test('rate: rows per second, 0 before time passes', () => {
    expect(rate(100, 0)).toBe(0);
    expect(rate(100, 2000)).toBe(50);
    expect(rate(1, 3)).toBe(333);
  });
});
