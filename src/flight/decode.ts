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
  Message,
  RecordBatch as RecordBatchHeader,
  DictionaryBatch as DictionaryBatchHeader,
} from 'apache-arrow/ipc/metadata/message';
import { VectorLoader } from 'apache-arrow/visitor/vectorloader';
import { protocolError } from '../errors';
import type { RawFlightData } from './flightData';
import { decodeMessage } from './types';
import { planBatch, type Column } from './validate';
import { checkBuffers, checkRegions, UNBACKED_CELLS, UNBACKED_CELLS_PER_BYTE } from './validateBuffers';
import { decompressBody } from './validateCompression';
import { columnName, validateSchema } from './validateSchema';
import { validateValues } from './validateValues';

/** What one FlightData message turned out to be. */
export type DecodedPayload =
  | {
      /** A Schema message: it starts the stream. */
      readonly kind: 'schema';
      /** The stream's schema. */
      readonly schema: Schema;
    }
  | {
      /** A RecordBatch message. */
      readonly kind: 'batch';
      /** The batch, its buffers views on the message body where alignment allows. */
      readonly batch: RecordBatch;
    }
  | {
      /** A DictionaryBatch message, applied to the decoder's dictionaries. */
      readonly kind: 'dictionary';
      /** The dictionary's id. */
      readonly id: number;
      /** Whether the batch extends the dictionary rather than replacing it. */
      readonly isDelta: boolean;
    }
  /** No IPC message: app_metadata only (allowed by the Flight spec). */
  | {
      /** No IPC message. */
      readonly kind: 'none';
    };

/**
 * Loads buffers as views on the body, copying only those whose byte offset does not suit the
 * typed array they will become (e.g. Float64 data at an offset that is not a multiple of 8).
 * `validate.ts` has checked every region against the body and its column before this runs.
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
    let bytes = this.#pieces
      ? this.#pieces[this.buffersIndex]!
      : this.#body.subarray(region.offset, region.offset + region.length);
    // apache-arrow sizes typed arrays by byteLength / element size: a ragged tail would throw.
    const ragged = bytes.byteLength % elementSize;
    if (ragged) bytes = bytes.subarray(0, bytes.byteLength - ragged);
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
    // -1 is an unknown null count: the bitmap says (apache-arrow's own writer sends it).
    return nullCount !== 0 ? this.#slice(buffer, 1) : new Uint8Array(0);
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

/** Dictionary cells so far and the body bytes they came in, per id (for the unbacked budget). */
interface DictionaryFootprint {
  cells: number;
  bytes: number;
}

/**
 * The IPC state of one Flight stream: schema, dictionaries, and how many buffers had to be
 * copied. One decoder per stream (arrow-rs `FlightStreamState`).
 *
 * Nothing from the wire is read before it is checked: the header flatbuffer is verified
 * (`validateHeader.ts`), the schema's types (`validateSchema.ts`), each batch's nodes and
 * buffers against its schema and body (`validate.ts`, `validateBuffers.ts`), and offsets, type ids, dictionary
 * indices and views once loaded (`validateValues.ts`). A violation is a ProtocolError that
 * names the message and the column.
 */
export class FlightDataDecoder {
  #schema: Schema | undefined;
  readonly #dictionaries = new Map<number, Vector>();
  readonly #footprints = new Map<number, DictionaryFootprint>();
  /** Buffers copied for alignment so far, across the stream. */
  alignmentCopies = 0;

  /** The stream's schema, once its Schema message has arrived. */
  get schema(): Schema | undefined {
    return this.#schema;
  }

  /** Decodes one FlightData message. */
  decode(data: RawFlightData): DecodedPayload {
    if (data.header.byteLength === 0) {
      if (data.body.byteLength > 0)
        throw protocolError('FlightData carries a body but no IPC message header');
      return { kind: 'none' };
    }
    // Verified, copied to alignment where needed, then read (types.ts).
    const message = decodeMessage(data.header);
    const headerType = message.headerType;
    const bodyLength = message.bodyLength;
    if (!Number.isSafeInteger(bodyLength) || bodyLength < 0) {
      throw protocolError(`IPC message announces a body of ${bodyLength} bytes`);
    }
    if (bodyLength > data.body.byteLength) {
      throw protocolError(
        `IPC message announces a ${bodyLength}-byte body but FlightData carries ${data.body.byteLength}`,
      );
    }
    // Bytes past bodyLength belong to no buffer (C++ reads exactly bodyLength).
    const body = data.body.byteLength > bodyLength ? data.body.subarray(0, bodyLength) : data.body;
    switch (headerType) {
      case MessageHeader.Schema: {
        if (this.#schema) throw protocolError('a second Schema message in one stream');
        if (bodyLength !== 0) throw protocolError(`a Schema message with a ${bodyLength}-byte body`);
        const schema = header<Schema>(message, 'Schema');
        validateSchema(schema, message.version);
        this.#schema = schema;
        return { kind: 'schema', schema };
      }
      case MessageHeader.RecordBatch: {
        const schema = this.#requireSchema('RecordBatch');
        const batch = header<RecordBatchHeader>(message, 'RecordBatch');
        const columns = schema.fields.map((f, i) => ({ type: f.type, path: columnName(f, i) }));
        const children = this.#load('RecordBatch', batch, body, columns);
        const struct = makeData({ type: new Struct(schema.fields), length: batch.length, children });
        return { kind: 'batch', batch: recordBatch(schema, struct) };
      }
      case MessageHeader.DictionaryBatch: {
        const schema = this.#requireSchema('DictionaryBatch');
        const dictionary = header<DictionaryBatchHeader>(message, 'DictionaryBatch');
        const id = dictionary.id;
        const type = schema.dictionaries.get(id);
        if (!type) throw protocolError(`DictionaryBatch for unknown dictionary id ${id}`);
        const what = `DictionaryBatch ${id}`;
        const loaded = this.#load(what, dictionary.data, body, [{ type, path: '(values)' }]);
        const existing = this.#dictionaries.get(id);
        const delta = existing !== undefined && dictionary.isDelta;
        this.#countDictionary(what, id, delta, loaded[0]!.length, body.byteLength);
        // A delta appends to the dictionary; otherwise it replaces it for the batches that follow.
        const vector = delta ? existing.concat(new Vector(loaded)) : new Vector(loaded);
        this.#dictionaries.set(id, vector.memoize());
        return { kind: 'dictionary', id, isDelta: dictionary.isDelta };
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

  /** Checks one batch against its body and schema, then loads it as views on the body. */
  #load(what: string, header: RecordBatchHeader, body: Uint8Array, columns: readonly Column[]): Data[] {
    const schema = this.#schema!;
    const plan = planBatch(what, header, columns, schema.metadataVersion);
    checkRegions(what, plan, header.buffers, body.byteLength);
    const pieces = header.compression == null ? undefined : decompressBody(what, header, body, plan);
    const regions = header.buffers;
    checkBuffers(what, plan, (i) =>
      pieces ? pieces[i]! : body.subarray(regions[i]!.offset, regions[i]!.offset + regions[i]!.length),
    );
    const loader = new AligningVectorLoader(body, header, this.#dictionaries, schema, pieces);
    const children = loader.visitMany(columns.map((c) => c.type as DataType | Field));
    this.alignmentCopies += loader.copies;
    validateValues(what, columns, children);
    return children;
  }

  /**
   * Deltas grow a dictionary across messages: the cells no bytes back are bounded over all of
   * its messages, as they are within one.
   */
  #countDictionary(what: string, id: number, delta: boolean, cells: number, bytes: number): void {
    const previous = delta ? this.#footprints.get(id) : undefined;
    const footprint = { cells: cells + (previous?.cells ?? 0), bytes: bytes + (previous?.bytes ?? 0) };
    if (footprint.cells > UNBACKED_CELLS + UNBACKED_CELLS_PER_BYTE * footprint.bytes) {
      throw protocolError(
        `${what}: deltas grow the dictionary to ${footprint.cells} values from ${footprint.bytes} bytes`,
      );
    }
    this.#footprints.set(id, footprint);
  }
}

/**
 * A RecordBatch that keeps the stream's schema. apache-arrow's constructor rebuilds it with
 * `Schema.assign`, which merges fields of the same name: with `SELECT a, a` the first column
 * would take the second one's type, and its values would be read as the wrong type.
 */
function recordBatch(schema: Schema, data: Data<Struct>): RecordBatch {
  const batch = new RecordBatch(schema, data);
  if (batch.schema !== schema) (batch as { schema: Schema }).schema = schema;
  return batch;
}

/** The header apache-arrow builds from the (verified) flatbuffer; its failures are the peer's. */
function header<T>(message: Message, what: string): T {
  try {
    return message.header() as T;
  } catch (err) {
    throw protocolError(`the ${what} header could not be read (${String(err)})`);
  }
}
