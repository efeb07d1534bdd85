/**
 * Arrow -> FlightData: schema, dictionary and record batch messages, with big batches sliced
 * (without copying) so that no message passes `maxMessageBytes` (arrow-rs `encode.rs`).
 */
import { RecordBatch, Vector, type Data, type Schema } from 'apache-arrow';
import {
  Message,
  RecordBatch as RecordBatchHeader,
  DictionaryBatch as DictionaryBatchHeader,
} from 'apache-arrow/ipc/metadata/message';
import { VectorAssembler } from 'apache-arrow/visitor/vectorassembler';
import type { OutgoingFlightData } from './flightData';

/** Default target size of one FlightData body: below the 4 MiB that many gRPC peers accept. */
export const DEFAULT_MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

const PADDING = new Uint8Array(8);

/** Encodes one stream's messages; keeps which dictionaries the peer has already seen. */
export class FlightDataEncoder {
  readonly #maxBytes: number;
  readonly #alignBody: boolean;
  readonly #sentDictionaries = new Map<number, Vector>();
  readonly #sentChunks = new Map<number, number>();

  /** `alignBody`: pad headers so bodies land 8-aligned at a grpc-js receiver that asked for it. */
  constructor(options: { maxMessageBytes?: number; alignBody?: boolean } = {}) {
    this.#maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.#alignBody = options.alignBody ?? false;
  }

  /** The Schema message (first message of every stream). */
  schema(schema: Schema, extra?: Pick<OutgoingFlightData, 'descriptor' | 'appMetadata'>): OutgoingFlightData {
    return { ...extra, header: Message.encode(Message.from(schema)) };
  }

  /**
   * Messages for one record batch: new or changed dictionaries first (deltas when the
   * dictionary only grew), then the batch, sliced to stay near `maxMessageBytes`.
   */
  *batch(batch: RecordBatch, appMetadata?: Uint8Array): Generator<OutgoingFlightData> {
    yield* this.#dictionaries(batch);
    const whole = VectorAssembler.assemble(batch);
    if (whole.byteLength <= this.#maxBytes || batch.numRows <= 1) {
      yield recordBatchMessage(batch.numRows, whole, appMetadata, this.#alignBody);
      return;
    }
    const pieces = Math.ceil(whole.byteLength / this.#maxBytes);
    const rows = Math.ceil(batch.numRows / pieces);
    for (let start = 0; start < batch.numRows; start += rows) {
      const slice = batch.slice(start, Math.min(start + rows, batch.numRows));
      const last = start + rows >= batch.numRows;
      const assembled = VectorAssembler.assemble(slice);
      yield recordBatchMessage(slice.numRows, assembled, last ? appMetadata : undefined, this.#alignBody);
    }
  }

  *#dictionaries(batch: RecordBatch): Generator<OutgoingFlightData> {
    for (const [id, dictionary] of batch.dictionaries) {
      if (!dictionary) continue;
      const chunks = dictionary.data;
      const previous = this.#sentDictionaries.get(id);
      const sent = this.#sentChunks.get(id) ?? 0;
      if (!previous || previous.data[0] !== chunks[0]) {
        for (let i = 0; i < chunks.length; i++)
          yield dictionaryMessage(chunks[i]!, id, i > 0, this.#alignBody);
      } else {
        for (let i = sent; i < chunks.length; i++)
          yield dictionaryMessage(chunks[i]!, id, true, this.#alignBody);
      }
      this.#sentDictionaries.set(id, dictionary);
      this.#sentChunks.set(id, chunks.length);
    }
  }
}

type Assembled = ReturnType<typeof VectorAssembler.assemble>;

function bodyOf(assembled: Assembled): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (const buffer of assembled.buffers) {
    const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    if (bytes.byteLength === 0) continue;
    pieces.push(bytes);
    const pad = ((bytes.byteLength + 7) & ~7) - bytes.byteLength;
    if (pad) pieces.push(PADDING.subarray(0, pad));
  }
  return pieces;
}

function recordBatchMessage(
  length: number,
  assembled: Assembled,
  appMetadata: Uint8Array | undefined,
  alignBody: boolean,
): OutgoingFlightData {
  const header = new RecordBatchHeader(
    length,
    assembled.nodes,
    assembled.bufferRegions,
    null,
    assembled.variadicBufferCounts,
  );
  return {
    header: Message.encode(Message.from(header, assembled.byteLength)),
    body: bodyOf(assembled),
    bodyLength: assembled.byteLength,
    appMetadata,
    alignBody,
  };
}

function dictionaryMessage(
  chunk: Data,
  id: number,
  isDelta: boolean,
  alignBody: boolean,
): OutgoingFlightData {
  const assembled = VectorAssembler.assemble(new Vector([chunk]));
  const header = new DictionaryBatchHeader(
    new RecordBatchHeader(
      chunk.length,
      assembled.nodes,
      assembled.bufferRegions,
      null,
      assembled.variadicBufferCounts,
    ),
    id,
    isDelta,
  );
  return {
    header: Message.encode(Message.from(header, assembled.byteLength)),
    body: bodyOf(assembled),
    bodyLength: assembled.byteLength,
    alignBody,
  };
}
