/**
 * A one-line progress meter on stderr for long queries and writes: rows, bytes, rate and
 * elapsed time, redrawn in place at most ~4 times a second. It draws only on a terminal, so
 * piped or captured stderr (scripts, CI logs) never fills with carriage returns.
 */

/** Minimum milliseconds between two redraws (~4 a second). */
const REDRAW_MS = 250;
/**
 * Milliseconds before the meter first shows: a short query or write ends without a flash of it.
 * `FLIGHTSQL_PROGRESS_DELAY_MS` changes it (0: at once).
 */
function defaultDelayMs(): number {
  const value = Number(process.env.FLIGHTSQL_PROGRESS_DELAY_MS);
  return Number.isFinite(value) && value >= 0 ? value : 1000;
}
/** Carriage return, then ANSI "erase the whole line": the cursor stays at column 0. */
const CLEAR = '\r\x1b[2K';

/** The part of a `NodeJS.WriteStream` the meter uses (a fake one in tests). */
export type ProgressStream = Pick<NodeJS.WriteStream, 'write'> & {
  readonly isTTY?: boolean;
  readonly columns?: number;
};

/**
 * A progress meter: `add()` as rows go by, `done()` at the end. Prints only when `stream.isTTY`;
 * its timer (which keeps the elapsed time moving while nothing arrives) never keeps the process
 * alive.
 */
export class Progress {
  readonly #label: string;
  readonly #stream: ProgressStream;
  readonly #unit: string;
  readonly #tty: boolean;
  readonly #delayMs: number;
  readonly #started = Date.now();
  #rows = 0;
  #bytes = 0;
  #drawnAt = Number.NEGATIVE_INFINITY;
  #drawn = false;
  #timer: NodeJS.Timeout | undefined;
  #done = false;

  /**
   * A meter named `label` (e.g. `write cpu.lp`) on `stream` (default stderr); `unit` names what
   * is counted (default `rows`; the write command counts `points`); nothing shows before
   * `delayMs` (default 1 s, or `FLIGHTSQL_PROGRESS_DELAY_MS`).
   */
  constructor(
    label: string,
    stream: ProgressStream = process.stderr,
    unit = 'rows',
    delayMs = defaultDelayMs(),
  ) {
    this.#label = label;
    this.#delayMs = delayMs;
    this.#stream = stream;
    this.#unit = unit;
    this.#tty = stream.isTTY === true;
    if (this.#tty) {
      this.#timer = setInterval(() => this.#draw(), REDRAW_MS);
      this.#timer.unref();
    }
  }

  /** Rows counted so far. */
  get rows(): number {
    return this.#rows;
  }

  /** Bytes counted so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Milliseconds since the meter was made. */
  get elapsedMs(): number {
    return Date.now() - this.#started;
  }

  /** Counts `rows` more rows and `bytes` more bytes; redraws if the last draw is old enough. */
  add(rows: number, bytes: number): void {
    this.#rows += rows;
    this.#bytes += bytes;
    if (this.#tty && !this.#done && Date.now() - this.#drawnAt >= REDRAW_MS) this.#draw();
  }

  /** Stops the timer and clears the line, leaving stderr as it was; a second call does nothing. */
  done(): void {
    if (this.#done) return;
    this.#done = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#drawn) this.#stream.write(CLEAR);
  }

  /** The meter's text: `label: 12,345 rows, 1.2 MB, 4,115 rows/s, 3.0 s`. */
  line(): string {
    const elapsed = this.elapsedMs;
    return `${this.#label}: ${count(this.#rows)} ${this.#unit}, ${formatBytes(this.#bytes)}, ${count(rate(this.#rows, elapsed))} ${this.#unit}/s, ${formatElapsed(elapsed)}`;
  }

  #draw(): void {
    if (this.#done || this.elapsedMs < this.#delayMs) return;
    this.#drawnAt = Date.now();
    this.#drawn = true;
    // One column short of the width: a full line would wrap on some terminals and break the \r.
    const width = this.#stream.columns && this.#stream.columns > 1 ? this.#stream.columns - 1 : undefined;
    const text = this.line();
    this.#stream.write(`${CLEAR}${width !== undefined && text.length > width ? text.slice(0, width) : text}`);
  }
}

/** Rows per second over `elapsedMs`, rounded; 0 before any time has passed. */
export function rate(rows: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((rows * 1000) / elapsedMs) : 0;
}

/** `1,234,567` (grouped for reading, the same in every locale). */
function count(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `512 B`, `1.5 KB`, `12.3 MB`, `1.02 GB` (binary multiples, as `ls -h` and `du -h`). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** `0.4 s`, `59.9 s`, `1m 05s`, `2h 03m 04s`. */
export function formatElapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const total = Math.floor(ms / 1000);
  const s = String(total % 60).padStart(2, '0');
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m ${s}s` : `${m}m ${s}s`;
}
