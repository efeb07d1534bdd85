/**
 * Line protocol read a chunk at a time for `flightsql write`: lines found by the scanner the
 * library and the server share (a quoted string value may hold line feeds, across chunks too),
 * handed on in batches, each sent before the next chunk is read.
 */
import { createReadStream } from 'node:fs';
import { DataError } from '../errors';
import { LineSplitter } from '../lineprotocol';

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
  const splitter = new LineSplitter();
  let batch: string[] = [];
  const add = (line: string) => void batch.push(line);
  const flush = async (all: boolean) => {
    while (batch.length >= batchSize || (all && batch.length > 0)) {
      const lines = batch.length > batchSize ? batch.splice(0, batchSize) : batch;
      if (lines === batch) batch = [];
      await send(lines);
    }
  };
  for await (const chunk of chunks) {
    splitter.push(chunk, add);
    if (splitter.pendingLength > MAX_LINE_CHARS) throw tooLong(source);
    await flush(false);
  }
  splitter.end(add);
  await flush(true);
}

function tooLong(source: string): DataError {
  return new DataError(`${source}: a line longer than 64 MiB (an unclosed quote?)`);
}
