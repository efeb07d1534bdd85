/**
 * Reading the files writeFile takes: opened before streaming, so that a missing or unreadable
 * file rejects the call instead of emitting an 'error' on a stream nobody listens to (an
 * unhandled 'error' ends the process).
 */
import type { ReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { InterfaceError, messageOf } from '../errors';

/** A read stream of `path`, the file already open; a failure to open is an InterfaceError. */
export async function readStreamOf(path: string): Promise<ReadStream> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path);
    // Opening a directory succeeds; reading it fails later, where some readers would see no rows.
    if ((await handle.stat()).isDirectory()) throw new globalThis.Error('it is a directory');
    return handle.createReadStream();
  } catch (err) {
    await handle?.close();
    throw new InterfaceError(`writeFile: cannot read ${path}: ${messageOf(err)}`, { cause: err });
  }
}

/** `source.pipe(target)`, with a read error (a directory, an I/O failure) ending `target`'s reader. */
export function pipeInto<T extends Duplex>(path: string, source: ReadStream, target: T): T {
  source.once('error', (err) =>
    target.destroy(new InterfaceError(`writeFile: cannot read ${path}: ${err.message}`, { cause: err })),
  );
  return source.pipe(target);
}
