/**
 * Line protocol read a chunk at a time for `flightsql write`: lines found by the scanner the
 * library and the server share (a quoted string value may hold line feeds, across chunks too),
 * handed on in batches, each sent before the next chunk is read.
 */
import { createReadStream } from 'node:fs';
import { DataError } from '../errors';
import { LineScanner, forEachLine } from '../lineprotocol';

const LF = 10;
const CR = 13;
/** A line this long is refused rather than held: an unclosed quote would otherwise swallow the file. */
const MAX_LINE_CHARS = 64 * 1024 * 1024;

/** Lines of a line-protocol file (or stdin, `-`), handed on `batchSize` at a time. */
export async function readLineProtocol(
  file: string,
  batchSize: number,
  send: (lines: readonly string[]) => Promise<void>,
): Promise<void> {
  const input = file === '-' ? process.stdin : createReadStream(file);
  input.setEncoding('utf8');
  await streamLines(input as AsyncIterable<string>, batchSize, send, file === '-' ? 'stdin' : file);
}

/**
 * Lines of line protocol arriving as text chunks, handed on `batchSize` at a time (each batch
 * sent before the next chunk is read). Lines are found by the scanner the library and the
 * server share, so a quoted string value may hold line feeds, across chunks too; blank and
 * comment lines are skipped. `source` names the input in errors.
 */
export async function streamLines(
  chunks: AsyncIterable<string>,
  batchSize: number,
  send: (lines: readonly string[]) => Promise<void>,
  source = 'input',
): Promise<void> {
  let pending = '';
  // True while `pending` is a line inside a quoted string: only a chunk with a quote can end it.
  let open = false;
  let batch: string[] = [];
  const flush = async (all: boolean) => {
    while (batch.length >= batchSize || (all && batch.length > 0)) {
      const lines = batch.length > batchSize ? batch.splice(0, batchSize) : batch;
      if (lines === batch) batch = [];
      await send(lines);
    }
  };
  for await (const chunk of chunks) {
    if (open && !chunk.includes('"')) {
      // Scanning the line again would find it still open (and make a long line quadratic).
      pending += chunk;
      if (pending.length > MAX_LINE_CHARS) throw tooLong(source);
      continue;
    }
    open = false;
    const text = pending + chunk;
    // Only text up to the last line feed can hold complete lines.
    const last = text.lastIndexOf('\n');
    if (last < 0) {
      pending = text;
    } else {
      const head = text.slice(0, last + 1);
      pending = text.slice(last + 1);
      const scanner = new LineScanner(head);
      while (scanner.next()) {
        const end = head.charCodeAt(scanner.end);
        const complete = end === LF || (end === CR && head.charCodeAt(scanner.end + 1) === LF);
        if (!complete) {
          // A quoted string still open: the line goes on in the next chunk.
          pending = head.slice(scanner.start) + pending;
          open = true;
          break;
        }
        batch.push(head.slice(scanner.start, scanner.end));
      }
    }
    if (pending.length > MAX_LINE_CHARS) throw tooLong(source);
    await flush(false);
  }
  forEachLine(pending, (line) => void batch.push(line));
  await flush(true);
}

function tooLong(source: string): DataError {
  return new DataError(`${source}: a line longer than 64 MiB (an unclosed quote?)`);
}
