/**
 * The Arrow IPC stream format (`.arrows`, what `pyarrow.ipc.open_stream` and apache-arrow's
 * `RecordBatchReader` read), written batch by batch: the messages are the ones the Flight
 * encoder makes for the wire, framed as the IPC stream format frames them.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { FlightDataEncoder } from '../../flight';
import type { Sink } from './sink';
import type { ResultWriter } from './writer';

const CONTINUATION = 0xffffffff;
const PADDING = new Uint8Array(8);

/** `0xFFFFFFFF`, the metadata length (padded to 8 bytes), the metadata, its padding. */
function prefix(header: Uint8Array): Uint8Array[] {
  const padded = (header.byteLength + 7) & ~7;
  const frame = new Uint8Array(8);
  const view = new DataView(frame.buffer);
  view.setUint32(0, CONTINUATION, true);
  view.setInt32(4, padded, true);
  return [frame, header, PADDING.subarray(0, padded - header.byteLength)];
}

/** The Arrow IPC stream writer. */
export class ArrowWriter implements ResultWriter {
  readonly #sink: Sink;
  // Whole batches per message: a file has no gRPC message size to stay under.
  readonly #encoder = new FlightDataEncoder({ maxMessageBytes: Number.MAX_SAFE_INTEGER });

  constructor(sink: Sink) {
    this.#sink = sink;
  }

  async start(schema: Schema): Promise<void> {
    await this.#pieces(prefix(this.#encoder.schema(schema).header!));
  }

  async write(batch: RecordBatch): Promise<void> {
    for (const message of this.#encoder.batch(batch)) {
      await this.#pieces([...prefix(message.header!), ...(message.body ?? [])]);
    }
  }

  async end(): Promise<void> {
    const eos = new Uint8Array(8);
    new DataView(eos.buffer).setUint32(0, CONTINUATION, true);
    await this.#sink.write(eos);
  }

  async #pieces(pieces: Uint8Array[]): Promise<void> {
    await this.#sink.write(Buffer.concat(pieces));
  }
}
