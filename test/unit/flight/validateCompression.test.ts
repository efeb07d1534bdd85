import { CompressionType, Field, Int32, Schema, compressionRegistry } from 'apache-arrow';
import {
  BodyCompression,
  BufferRegion,
  FieldNode,
  Message,
  RecordBatch as RecordBatchHeader,
} from 'apache-arrow/ipc/metadata/message';
import { RowConverter } from '../../../src/values';
import { after, raw } from './validateHelpers';

/** Compressed bodies: refused clearly without a codec, and every claimed length checked with one. */

const schema = new Schema([new Field('n', new Int32(), false)]);

/** One Int32 column of `values`, its data buffer "compressed" (stored after an 8-byte length). */
function compressed(values: number[], claimed = 4 * values.length, prefix = 8) {
  const payload = new Uint8Array(Int32Array.from(values).buffer);
  const body = new Uint8Array(8 + Math.ceil((prefix + payload.byteLength) / 8) * 8);
  new DataView(body.buffer).setBigInt64(8, BigInt(claimed), true);
  body.set(payload, 8 + prefix);
  const header = new RecordBatchHeader(
    values.length,
    [new FieldNode(values.length, 0)],
    [new BufferRegion(0, 0), new BufferRegion(8, prefix + payload.byteLength)],
    new BodyCompression(CompressionType.ZSTD),
  );
  return raw(Message.encode(Message.from(header, body.byteLength)), body);
}

describe('compressed bodies', () => {
  // A codec without a decoder is what an unregistered one looks like to the decoder.
  afterEach(() => compressionRegistry.set(CompressionType.ZSTD, {}));

  test('without a registered codec: a ProtocolError that says what to do', () => {
    expect(() => after(schema).decode(compressed([1, 2, 3]))).toThrow(
      /compressed with ZSTD and no decoder is registered: register one with apache-arrow's compressionRegistry/,
    );
  });

  describe('with a codec (here one that stores bytes as they are)', () => {
    beforeEach(() =>
      compressionRegistry.set(CompressionType.ZSTD, { decode: (bytes: Uint8Array) => bytes.slice() }),
    );

    test('decodes', () => {
      const payload = after(schema).decode(compressed([1, 2, 3]));
      if (payload.kind !== 'batch') throw new Error('expected a batch');
      expect(new RowConverter(schema).column(payload.batch, 0)).toEqual([1, 2, 3]);
    });

    test('a claimed length beyond what the column can use is refused before the codec runs', () => {
      let ran = false;
      compressionRegistry.set(CompressionType.ZSTD, { decode: (b: Uint8Array) => ((ran = true), b) });
      expect(() => after(schema).decode(compressed([1, 2, 3], 2 ** 40))).toThrow(
        /column "n": compressed buffer 1 claims 1099511627776 bytes, the column uses at most 76/,
      );
      expect(ran).toBe(false);
    });

    test('a codec that gives another length than claimed, or throws', () => {
      expect(() => after(schema).decode(compressed([1, 2, 3], 16))).toThrow(
        /decompressed to 12 bytes, not 16/,
      );
      compressionRegistry.set(CompressionType.ZSTD, {
        decode: () => {
          throw new Error('bad frame');
        },
      });
      expect(() => after(schema).decode(compressed([1, 2, 3]))).toThrow(
        /does not decompress \(Error: bad frame\)/,
      );
    });

    test('a compressed buffer shorter than its length prefix', () => {
      expect(() => after(schema).decode(compressed([], 0, 4))).toThrow(/shorter than its prefix/);
    });
  });
});
