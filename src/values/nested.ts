/**
 * Readers of nested types: lists become arrays, structs and maps plain objects, unions their
 * member's value, dictionaries the decoded dictionary value. Children are read with the readers
 * of their own types, and only where the parent cell is valid (values under a null parent are
 * arbitrary and must never reach a converter that can throw).
 */
import type { Data, DataType, Field, Vector } from 'apache-arrow';
import { isNull, readRange, validityOf, wordsOf, type Read } from './column';

/** Builds the Read of a child type (the caller's `readerFor`, with its options). */
export type ReaderFor = (type: DataType) => Read;

/** List and LargeList: each valid cell is the array of its child range. */
export function listReader(type: DataType, readerFor: ReaderFor): Read {
  const child = readerFor(type.children[0]!.type);
  return (d, start, end, out, at) => {
    const bits = validityOf(d);
    const offset = d.offset;
    const offsets = d.valueOffsets as Int32Array | BigInt64Array;
    const values = d.children[0]!;
    for (let i = start; i < end; i++, at++) {
      out[at] =
        bits !== null && isNull(bits, offset + i)
          ? null
          : readRange(child, values, Number(offsets[i]), Number(offsets[i + 1]));
    }
  };
}

/** FixedSizeList: cell i is child cells `[i * size, (i + 1) * size)`. */
export function fixedSizeListReader(type: DataType, readerFor: ReaderFor): Read {
  const size = (type as unknown as { listSize: number }).listSize;
  const child = readerFor(type.children[0]!.type);
  return (d, start, end, out, at) => {
    const bits = validityOf(d);
    const offset = d.offset;
    const values = d.children[0]!;
    for (let i = start; i < end; i++, at++) {
      out[at] =
        bits !== null && isNull(bits, offset + i) ? null : readRange(child, values, i * size, (i + 1) * size);
    }
  };
}

/** Struct: an object per valid cell, its fields read column by column over runs of valid cells. */
export function structReader(type: DataType, readerFor: ReaderFor): Read {
  const fields = type.children as Field[];
  const names = fields.map((f) => f.name);
  const readers = fields.map((f) => readerFor(f.type));
  const width = fields.length;
  return (d, start, end, out, at) => {
    const bits = validityOf(d);
    const offset = d.offset;
    let i = start;
    while (i < end) {
      if (bits !== null && isNull(bits, offset + i)) {
        out[at + i - start] = null;
        i++;
        continue;
      }
      let runEnd = i + 1;
      while (runEnd < end && (bits === null || !isNull(bits, offset + runEnd))) runEnd++;
      const columns = readers.map((read, c) => readRange(read, d.children[c]!, i, runEnd));
      for (let r = i; r < runEnd; r++) {
        const row: Record<string, unknown> = {};
        for (let c = 0; c < width; c++) row[names[c]!] = columns[c]![r - i];
        out[at + r - start] = row;
      }
      i = runEnd;
    }
  };
}

/** Map: an object per valid cell, keys as strings, in entry order. */
export function mapReader(type: DataType, readerFor: ReaderFor): Read {
  const entries = type.children[0]!.type as DataType;
  const readKey = readerFor(entries.children[0]!.type);
  const readValue = readerFor(entries.children[1]!.type);
  return (d, start, end, out, at) => {
    const bits = validityOf(d);
    const offset = d.offset;
    const offsets = d.valueOffsets as Int32Array;
    const struct = d.children[0]!;
    for (let i = start; i < end; i++, at++) {
      if (bits !== null && isNull(bits, offset + i)) {
        out[at] = null;
        continue;
      }
      const from = Number(offsets[i]);
      const to = Number(offsets[i + 1]);
      const keys = readRange(readKey, struct.children[0]!, from, to);
      const values = readRange(readValue, struct.children[1]!, from, to);
      const map: Record<string, unknown> = {};
      for (let j = 0; j < keys.length; j++) map[String(keys[j])] = values[j];
      out[at] = map;
    }
  };
}

/** Sparse and dense unions: each cell is its member's value (a union itself has no nulls). */
export function unionReader(type: DataType, readerFor: ReaderFor): Read {
  const { typeIds, mode } = type as unknown as { typeIds: number[]; mode: number };
  const readers = type.children.map((f: Field) => readerFor(f.type));
  const childIndex: number[] = [];
  typeIds.forEach((id, c) => (childIndex[id] = c));
  const dense = mode === 1;
  return (d, start, end, out, at) => {
    const bits = validityOf(d);
    const offset = d.offset;
    const ids = d.typeIds;
    const offsets = d.valueOffsets as Int32Array;
    for (let i = start; i < end; i++, at++) {
      if (bits !== null && isNull(bits, offset + i)) {
        out[at] = null;
        continue;
      }
      const c = childIndex[ids[i]!]!;
      const cell = dense ? offsets[i]! : i;
      readers[c]!(d.children[c]!, cell, cell + 1, out, at);
    }
  };
}

/** Dictionary: each dictionary is decoded once, then cells index into the decoded values. */
export function dictionaryReader(type: DataType, readerFor: ReaderFor): Read {
  const dictionaryRead = readerFor((type as unknown as { dictionary: DataType }).dictionary);
  // InfluxDB sends every tag this way: decoding per cell would decode each tag value per row.
  let cachedFor: Vector | undefined;
  let decoded: unknown[] = [];
  return (d, start, end, out, at) => {
    const dictionary = d.dictionary!;
    if (dictionary !== cachedFor) {
      cachedFor = dictionary;
      decoded = dictionary.data.flatMap((chunk: Data) => readRange(dictionaryRead, chunk, 0, chunk.length));
    }
    const bits = validityOf(d);
    const offset = d.offset;
    const indices = d.values as ArrayLike<number | bigint>;
    const words = wordsOf(indices);
    for (let i = start; i < end; i++, at++) {
      if (bits !== null && isNull(bits, offset + i)) out[at] = null;
      // 64-bit indices: the low word is the index (a dictionary never holds 2^31 values).
      else if (words !== null)
        out[at] = words[2 * i + 1] === 0 ? decoded[words[2 * i]! >>> 0] : decoded[Number(indices[i])];
      else out[at] = decoded[indices[i] as number];
    }
  };
}
