/**
 * Where a result's bytes go: stdout or a file, with backpressure. A writer awaits `write`, so a
 * slow pipe (`| less`) slows the reading of the result, and through it the server, instead of
 * piling output up in memory.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** A byte or text destination that honours backpressure. */
export interface Sink {
  /** Writes `chunk`; resolves when the destination can take more. */
  write(chunk: string | Uint8Array): Promise<void>;
  /** Flushes and, for a file, closes it. */
  end(): Promise<void>;
}

/** The error a sink raises when its reader has gone (`| head`): the CLI stops quietly. */
export class OutputClosed extends globalThis.Error {
  constructor() {
    super('output closed');
    this.name = 'OutputClosed';
  }
}

function isBrokenPipe(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'EPIPE';
}

/** Resolves at the stream's next 'drain' (or 'close', after which nothing drains). */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** A Sink over a Writable; `close` ends the stream when the sink ends (files, not stdout). */
export function streamSink(stream: Writable, close: boolean): Sink {
  let failure: unknown;
  let ending: Promise<void> | undefined;
  const onError = (err: unknown) => (failure ??= err);
  stream.on('error', onError);
  const check = () => {
    if (failure !== undefined) throw isBrokenPipe(failure) ? new OutputClosed() : failure;
  };
  return {
    async write(chunk) {
      check();
      if (!stream.write(chunk)) await drained(stream);
      check();
    },
    // Once: the command's error path and its `finally` may both end the sink.
    end() {
      ending ??= (async () => {
        check();
        if (close) {
          stream.end();
          await once(stream, 'finish');
        } else if (stream.writableNeedDrain) {
          await drained(stream);
        }
        stream.off('error', onError);
        check();
      })();
      return ending;
    },
  };
}

/**
 * A Sink writing the file `path`: created or truncated (`flags` 'w'), or created only if it does
 * not exist ('wx').
 */
export async function fileSink(path: string, flags: 'w' | 'wx' = 'w'): Promise<Sink> {
  const stream = createWriteStream(path, { flags });
  await once(stream, 'open');
  return streamSink(stream, true);
}

/** stdout as a Sink. */
export function stdoutSink(): Sink {
  return streamSink(process.stdout, false);
}
