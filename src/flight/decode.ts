/**
 * FlightData -> Arrow: the IPC state of one stream (schema, dictionaries) and the loading of
 * record batches whose buffers are views on the received FlightData body.
 *
 * apache-arrow's own stream reader wants a byte stream and copies a body that is not 8-byte
 * aligned; FlightData bodies sit at arbitrary offsets inside the gRPC message, so we load
 * batches from the flatbuffer headers ourselves and copy only the buffers whose element type
 * needs an alignment the wire did not give (arrow-rs `decode.rs` does the same).
 */
import {
  compressionRegistry,
  makeData,
  MessageHeader,
  RecordBatch,
  Schema,
  Struct,
  Vector,
  type Data,
  type DataType,
  type Field,
} from 'apache-arrow';
import type {
  BufferRegion,
  RecordBatch as RecordBatchHeader,
  DictionaryBatch as DictionaryBatchHeader,
} from 'apache-arrow/ipc/metadata/message';
import { VectorLoader } from 'apache-arrow/visitor/vectorloader';
import { protocolError } from '../errors';
import type { RawFlightData } from './flightData';
import { decodeMessage } from './types';

/** What one FlightData message turned out to be. */
export type DecodedPayload =
  | { readonly kind: 'schema'; readonly schema: Schema }
  | { readonly kind: 'batch'; readonly batch: RecordBatch }
  | { readonly kind: 'dictionary'; readonly id: number; readonly isDelta: boolean }
  /** No IPC message: app_metadata only (allowed by the Flight spec). */
  | { readonly kind: 'none' };

const COMPRESS_LENGTH_PREFIX = 8;
const NO_COMPRESSION = -1n;

/**
 * Loads buffers as views on the body, copying only those whose byte offset does not suit the
 * typed array they will become (e.g. Float64 data at an offset that is not a multiple of 8).
 */
class AligningVectorLoader extends VectorLoader {
  /** How many buffers had to be copied for alignment (tests assert on it). */
  copies = 0;
  readonly #body: Uint8Array;
  readonly #pieces: readonly Uint8Array[] | undefined;

  constructor(
    body: Uint8Array,
    header: RecordBatchHeader,
    dictionaries: Map<number, Vector>,
    schema: Schema,
    pieces?: readonly Uint8Array[],
  ) {
    super(
      body,
      header.nodes,
      header.buffers,
      dictionaries,
      schema.metadataVersion,
      header.variadicBufferCounts,
    );
    this.#body = body;
    this.#pieces = pieces;
  }

  #slice(region: BufferRegion, elementSize: number): Uint8Array {
    if (!region) throw protocolError('the header names fewer buffers than its columns need');
    if (!this.#pieces && region.offset + region.length > this.#body.byteLength) {
      throw protocolError(
        `buffer [${region.offset}, +${region.length}) runs past the ${this.#body.byteLength}-byte body`,
      );
    }
    const bytes = this.#pieces
      ? this.#pieces[this.buffersIndex]!
      : this.#body.subarray(region.offset, region.offset + region.length);
    if (elementSize > 1 && bytes.byteOffset % elementSize !== 0) {
      this.copies++;
      return new Uint8Array(bytes); // a copy (Buffer#slice would be a view)
    }
    return bytes;
  }

  protected override readNullBitmap<T extends DataType>(
    _type: T,
    nullCount: number,
    buffer = this.nextBufferRange(),
  ): Uint8Array {
    return nullCount > 0 ? this.#slice(buffer, 1) : new Uint8Array(0);
  }

  protected override readOffsets<T extends DataType>(type: T, buffer = this.nextBufferRange()): Uint8Array {
    return this.#slice(buffer, elementSizeOf((type as { OffsetArrayType?: unknown }).OffsetArrayType));
  }

  protected override readTypeIds<T extends DataType>(_type: T, buffer = this.nextBufferRange()): Uint8Array {
    return this.#slice(buffer, 1);
  }

  protected override readData<T extends DataType>(type: T, buffer = this.nextBufferRange()): Uint8Array {
    return this.#slice(buffer, elementSizeOf((type as { ArrayType?: unknown } | null)?.ArrayType));
  }
}

function elementSizeOf(ctor: unknown): number {
  return (ctor as { BYTES_PER_ELEMENT?: number } | undefined)?.BYTES_PER_ELEMENT ?? 1;
}

/**
 * The IPC state of one Flight stream: schema, dictionaries, and how many buffers had to be
 * copied. One decoder per stream (arrow-rs `FlightStreamState`).
 */
export class FlightDataDecoder {
  #schema: Schema | undefined;
  readonly #dictionaries = new Map<number, Vector>();
  /** Buffers copied for alignment so far, across the stream. */
  alignmentCopies = 0;

  /** The stream's schema, once its Schema message has arrived. */
  get schema(): Schema | undefined {
    return this.#schema;
  }

  /** Decodes one FlightData message. */
  decode(data: RawFlightData): DecodedPayload {
    if (data.header.byteLength === 0) return { kind: 'none' };
    const message = decodeMessage(data.header);
    if (message.bodyLength > data.body.byteLength) {
      throw protocolError(
        `IPC message announces a ${message.bodyLength}-byte body but FlightData carries ${data.body.byteLength}`,
      );
    }
    switch (message.headerType) {
      case MessageHeader.Schema: {
        if (this.#schema) throw protocolError('a second Schema message in one stream');
        this.#schema = message.header() as Schema;
        return { kind: 'schema', schema: this.#schema };
      }
      case MessageHeader.RecordBatch: {
        const schema = this.#requireSchema('RecordBatch');
        const header = message.header() as RecordBatchHeader;
        const children = this.#load(header, data.body, schema.fields);
        const struct = makeData({ type: new Struct(schema.fields), length: header.length, children });
        return { kind: 'batch', batch: new RecordBatch(schema, struct) };
      }
      case MessageHeader.DictionaryBatch: {
        const schema = this.#requireSchema('DictionaryBatch');
        const header = message.header() as DictionaryBatchHeader;
        const type = schema.dictionaries.get(header.id);
        if (!type) throw protocolError(`DictionaryBatch for unknown dictionary id ${header.id}`);
        const loaded = this.#load(header.data, data.body, [type]);
        const existing = this.#dictionaries.get(header.id);
        // A delta appends to the dictionary; otherwise it replaces it for the batches that follow.
        const vector = existing && header.isDelta ? existing.concat(new Vector(loaded)) : new Vector(loaded);
        this.#dictionaries.set(header.id, vector.memoize());
        return { kind: 'dictionary', id: header.id, isDelta: header.isDelta };
      }
      default:
        throw protocolError(
          `unexpected IPC message type ${MessageHeader[message.headerType] ?? message.headerType}`,
        );
    }
  }

  #requireSchema(what: string): Schema {
    if (!this.#schema) throw protocolError(`${what} before Schema`);
    return this.#schema;
  }

  #load(header: RecordBatchHeader, body: Uint8Array, types: (Field | DataType)[]): Data[] {
    const schema = this.#schema!;
    const pieces = header.compression == null ? undefined : decompress(header, body);
    const loader = new AligningVectorLoader(body, header, this.#dictionaries, schema, pieces);
    const children = loader.visitMany(types);
    this.alignmentCopies += loader.copies;
    return children;
  }
}

function decompress(header: RecordBatchHeader, body: Uint8Array): Uint8Array[] {
  const type = header.compression!.type;
  const codec = compressionRegistry.get(type);
  if (!codec?.decode) {
    throw protocolError(
      `the body is compressed (codec ${type}) and no decoder is registered: register one with apache-arrow's compressionRegistry`,
    );
  }
  return header.buffers.map(({ offset, length }) => {
    if (length === 0) return new Uint8Array(0);
    if (length < COMPRESS_LENGTH_PREFIX || offset + length > body.byteLength) {
      throw protocolError(`compressed buffer [${offset}, +${length}) does not fit the body`);
    }
    const region = body.subarray(offset, offset + length);
    const view = new DataView(region.buffer, region.byteOffset, region.byteLength);
    const uncompressed = view.getBigInt64(0, true);
    const payload = region.subarray(COMPRESS_LENGTH_PREFIX);
    return uncompressed === NO_COMPRESSION ? payload : codec.decode!(payload);
  });
}
