import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import { allSet, copyBits, popcount, setBits } from '../../../src/server/duckdb/bits';
import { growUninitialized, trimmed } from '../../../src/server/duckdb/buffers';
import { arrowSchemaFor, recordBatchesFrom } from '../../../src/server/duckdb/recordBatches';
import { ValidityBuilder } from '../../../src/server/duckdb/ValidityBuilder';
import { intervalToMonthDayNano, timeTzToUtc } from '../../../src/server/duckdb/valueConverters';

/** Bits of `bytes` as a '0'/'1' string, bit 0 first. */
const bitString = (bytes: Uint8Array, n: number) =>
  Array.from({ length: n }, (_, i) => ((bytes[i >> 3] >> (i & 7)) & 1).toString()).join('');

/** Bytes with the bits of `s` ('0'/'1', bit 0 first). */
function fromBits(s: string): Uint8Array {
  const out = new Uint8Array((s.length + 7) >> 3);
  for (let i = 0; i < s.length; i++) if (s[i] === '1') out[i >> 3] |= 1 << (i & 7);
  return out;
}

describe('bits', () => {
  const pattern = '1101110111111111111111110111111100101';

  it('popcount counts the first n bits only', () => {
    const bits = fromBits(pattern);
    for (let n = 0; n <= pattern.length; n++) {
      expect(popcount(bits, n)).toBe([...pattern.slice(0, n)].filter((c) => c === '1').length);
    }
  });

  it('allSet checks any range, aligned or not', () => {
    const bits = fromBits(pattern);
    for (let from = 0; from < pattern.length; from++) {
      for (let n = 0; from + n <= pattern.length; n++) {
        expect(allSet(bits, from, n)).toBe(!pattern.slice(from, from + n).includes('0'));
      }
    }
  });

  it('copyBits and setBits write at any bit offset', () => {
    const src = fromBits(pattern);
    for (const from of [0, 3, 8, 13]) {
      for (const at of [0, 5, 8, 11]) {
        const n = pattern.length - from;
        const dst = new Uint8Array(16);
        setBits(dst, 0, at);
        copyBits(src, from, dst, at, n);
        expect(bitString(dst, at + n)).toBe('1'.repeat(at) + pattern.slice(from));
        expect(popcount(dst, 128)).toBe(at + popcount(fromBits(pattern.slice(from)), n));
      }
    }
  });
});

describe('buffers', () => {
  it('growUninitialized keeps the contents and allocates 8-byte aligned buffers of their own', () => {
    const small = Int32Array.of(1, 2, 3);
    const grown = growUninitialized(small, 1000);
    expect(grown.length).toBeGreaterThanOrEqual(1000);
    expect(Array.from(grown.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(grown.byteOffset % 8).toBe(0);
    expect(grown.buffer.byteLength).toBe(grown.byteLength);
    expect(growUninitialized(grown, 10)).toBe(grown);
  });

  it('trimmed copies only when that frees more than half of a large buffer', () => {
    const large = new Uint8Array(10_000);
    expect(trimmed(large, 6000).buffer).toBe(large.buffer);
    const copy = trimmed(large, 4000);
    expect(copy.buffer).not.toBe(large.buffer);
    expect(copy.length).toBe(4000);
    expect(trimmed(new Uint8Array(100), 10).length).toBe(10);
  });
});

describe('ValidityBuilder', () => {
  it('has no bitmap while every row is valid, even when the source carries a mask', () => {
    const v = new ValidityBuilder();
    v.append(null, null, 0, 10, 0);
    v.append(fromBits('1111111111'), null, 0, 10, 10);
    expect(v.finish(20)).toEqual({ nullCount: 0 });
  });

  it('keeps rows before the first null valid, and nulls appended or cleared later', () => {
    const v = new ValidityBuilder();
    v.append(null, null, 0, 5, 0);
    v.append(fromBits('1011'), null, 0, 4, 5);
    v.appendNulls(9, 2);
    v.append(null, null, 0, 3, 11);
    v.clear(12, 14);
    const { nullBitmap, nullCount } = v.finish(14);
    expect(nullCount).toBe(4);
    expect(bitString(nullBitmap!, 14)).toBe('11111101100101');
  });
});

describe('valueConverters', () => {
  it('intervalToMonthDayNano multiplies micros by 1000 modulo 2^64, like BigInt', () => {
    const micros = [
      0n,
      1n,
      -1n,
      86_400_000_000n,
      -123_456_789_012_345n,
      (1n << 53n) + 12345n,
      9_223_372_036_854_775n,
      -9_223_372_036_854_776n,
      (1n << 63n) - 1n,
      -(1n << 63n),
    ];
    const src = new Uint8Array(micros.length * 16);
    const srcView = new DataView(src.buffer);
    micros.forEach((m, r) => {
      srcView.setInt32(r * 16, r - 3, true);
      srcView.setInt32(r * 16 + 4, -2 * r - 1, true);
      srcView.setBigInt64(r * 16 + 8, m, true);
    });
    const out = new Uint8Array(micros.length * 16);
    const convert = intervalToMonthDayNano();
    micros.forEach((_, r) => convert(src, r, out, r));
    const outView = new DataView(out.buffer);
    micros.forEach((m, r) => {
      expect(outView.getInt32(r * 16, true)).toBe(r - 3);
      expect(outView.getInt32(r * 16 + 4, true)).toBe(-2 * r - 1);
      expect(outView.getBigInt64(r * 16 + 8, true)).toBe(BigInt.asIntN(64, m * 1000n));
    });
  });

  it('timeTzToUtc subtracts the offset and wraps into one day', () => {
    // dtime_tz_t: micros << 24 | (57599 - offset seconds).
    const encode = (micros: bigint, offsetSeconds: number) => (micros << 24n) | BigInt(57599 - offsetSeconds);
    const cases: [bigint, number, bigint][] = [
      [3_600_000_000n, 3600, 0n],
      [0n, 3600, 86_400_000_000n - 3_600_000_000n],
      [82_800_000_000n, -7200, 3_600_000_000n],
    ];
    const src = new Uint8Array(cases.length * 8);
    cases.forEach(([m, o], r) => new DataView(src.buffer).setBigUint64(r * 8, encode(m, o), true));
    const out = new Uint8Array(cases.length * 8);
    const convert = timeTzToUtc();
    cases.forEach((_, r) => convert(src, r, out, r));
    cases.forEach(([, , utc], r) => expect(new DataView(out.buffer).getBigInt64(r * 8, true)).toBe(utc));
  });
});

describe('recordBatchesFrom: buffer sizing', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;

  beforeAll(async () => {
    const api = await import('@duckdb/node-api');
    instance = await api.DuckDBInstance.create(':memory:');
    conn = await instance.connect();
  });

  afterAll(() => {
    conn?.closeSync();
    instance?.closeSync();
  });

  async function batchesOf(sql: string): Promise<RecordBatch[]> {
    const result = await conn.stream(sql);
    const batches: RecordBatch[] = [];
    for await (const batch of recordBatchesFrom(result, arrowSchemaFor(result))) batches.push(batch);
    return batches;
  }

  it('sizes fixed-width buffers at exactly the rows each batch reaches', async () => {
    // 40 bytes per row: the 2 MiB cut falls after 26 chunks, which the first batch grows to.
    const batches = await batchesOf(`SELECT i a, i b, i c, i d, i e FROM range(200000) t(i)`);
    expect(batches.map((b) => b.numRows)).toEqual([53248, 53248, 53248, 40256]);
    for (const batch of batches.slice(0, -1)) {
      for (const name of ['a', 'b', 'c', 'd', 'e']) {
        const values = batch.getChild(name)!.data[0].values as BigInt64Array;
        expect(values.byteOffset).toBe(0);
        expect(values.buffer.byteLength).toBe(batch.numRows * 8);
      }
    }
  });

  it('sizes a small result for its rows only', async () => {
    const [batch] = await batchesOf(`SELECT i FROM range(100) t(i)`);
    expect(batch.numRows).toBe(100);
    expect((batch.getChild('i')!.data[0].values as BigInt64Array).buffer.byteLength).toBe(800);
  });

  it('sizes string data from the batch before, with little to spare', async () => {
    const batches = await batchesOf(`SELECT i, 'room' || (i % 8) tag FROM range(300000) t(i)`);
    expect(batches.length).toBeGreaterThan(2);
    for (const batch of batches.slice(1, -1)) {
      const data = batch.getChild('tag')!.data[0];
      expect(data.values.byteLength).toBe(batch.numRows * 5);
      expect(data.values.buffer.byteLength).toBeLessThanOrEqual(Math.ceil(batch.numRows * 5 * 1.125) + 16);
      expect(data.valueOffsets.buffer.byteLength).toBe((batch.numRows + 1) * 4);
    }
  });
});
