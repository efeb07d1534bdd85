/**
 * Writes Arrow decimal columns (negative, zero and positive scales) through the CLI's Parquet
 * writer and reads the file back with hyparquet, in its own process because hyparquet and
 * hyparquet-writer are ES modules jest cannot load from the sources. Prints one JSON line: the
 * columns' Parquet schema elements and the rows as hyparquet reads them.
 * Run by parquet.test.ts: `node --import tsx parquetProbe.ts`.
 */
import { Decimal, Field, RecordBatch, Schema, Struct, makeData } from 'apache-arrow';
import { ParquetWriter } from '../../../src/cli/output/parquet';

/** A nullable decimal column of `values` (unscaled integers, null for a null). */
function decimalColumn(name: string, type: Decimal, values: (bigint | null)[]) {
  const stride = type.bitWidth / 32;
  const words = new Uint32Array(values.length * stride);
  const valid = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((value, i) => {
    if (value === null) return;
    valid[i >> 3]! |= 1 << (i & 7);
    // Little-endian two's complement, 32 bits a word.
    let rest = BigInt.asUintN(type.bitWidth, value);
    for (let w = 0; w < stride; w++, rest >>= 32n) words[i * stride + w] = Number(rest & 0xffffffffn);
  });
  const nullCount = values.filter((v) => v === null).length;
  return {
    field: new Field(name, type, true),
    data: makeData({ type, length: values.length, nullCount, nullBitmap: valid, data: words }),
  };
}

async function main(): Promise<void> {
  const columns = [
    // 123 at scale -2 is 12300; precision 5 at scale -2 is precision 7 at scale 0.
    decimalColumn('hundreds', new Decimal(-2, 5, 128), [123n, -45n, null, 99999n, 0n]),
    // 36 digits at scale -5 need 41: more than 128 bits always hold, so written as text.
    decimalColumn('wide', new Decimal(-5, 36, 128), [7n, -1n, null, 10n ** 35n, 0n]),
    // The same 41 digits fit a 256-bit decimal.
    decimalColumn('wide256', new Decimal(-5, 36, 256), [7n, -1n, null, 12n, 0n]),
    decimalColumn('units', new Decimal(0, 9, 128), [123n, -45n, null, 1n, 0n]),
    decimalColumn('cents', new Decimal(2, 9, 128), [12345n, -5n, null, 1n, 0n]),
  ];
  const schema = new Schema(columns.map((c) => c.field));
  const batch = new RecordBatch(
    schema,
    makeData({
      type: new Struct(schema.fields),
      length: 5,
      nullCount: 0,
      children: columns.map((c) => c.data),
    }),
  );
  const chunks: Uint8Array[] = [];
  const writer = new ParquetWriter({
    write: async (chunk) => void chunks.push(chunk as Uint8Array),
    end: async () => {},
  });
  await writer.start(schema);
  await writer.write(batch);
  await writer.end();
  const bytes = Buffer.concat(chunks);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const hyparquet = await import('hyparquet');
  const metadata = hyparquet.parquetMetadata(file);
  const elements = metadata.schema.slice(1).map((e) => ({
    name: e.name,
    type: e.type,
    converted_type: e.converted_type,
    precision: e.precision,
    scale: e.scale,
    logical_type: e.logical_type,
  }));
  const rows = await hyparquet.parquetReadObjects({ file });
  process.stdout.write(
    `${JSON.stringify({ elements, rows }, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}\n`,
  );
}

void main();
