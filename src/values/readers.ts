/**
 * One Read per Arrow type, resolved once per column (never a type switch per cell). The types
 * that make up most results (numbers, booleans, 64-bit integers, timestamps, dates, strings)
 * have their own loop over the typed array, with the validity bit tested inline; the rest call
 * a per-cell function.
 */
import { DataType, IntervalUnit, TimeUnit, Type, type Data } from 'apache-arrow';
import { HI_EXACT, WORD, isNull, perCell, validityOf, vectorOf, wordsOf, type Read } from './column';
import {
  dictionaryReader,
  fixedSizeListReader,
  listReader,
  mapReader,
  structReader,
  unionReader,
} from './nested';
import type { Resolved } from './options';
import { NS_PER_UNIT, decimalText, floorDiv, halfToNumber, isoFromEpoch, timeOfDay } from './scalars';
import { utf8Reader } from './text';

/** The Read of one Arrow type under the given options. */
export function readerFor(type: DataType, o: Resolved): Read {
  const child = (t: DataType): Read => readerFor(t, o);
  switch (type.typeId) {
    case Type.Null:
      return readNull;
    case Type.Bool:
      return readBool;
    case Type.Int:
    case Type.Int8:
    case Type.Int16:
    case Type.Int32:
    case Type.Int64:
    case Type.Uint8:
    case Type.Uint16:
    case Type.Uint32:
    case Type.Uint64: {
      const wide = (type as unknown as { bitWidth: number }).bitWidth === 64;
      return wide && o.int64 === 'number' ? readInt64AsNumber : readPlain;
    }
    case Type.Float:
    case Type.Float16:
    case Type.Float32:
    case Type.Float64:
      if ((type as unknown as { precision: number }).precision === 0) {
        return perCell((d, i) => halfToNumber((d.values as Uint16Array)[i]!));
      }
      return readPlain;
    case Type.Decimal: {
      const { scale, bitWidth } = type as unknown as { scale: number; bitWidth: number };
      const stride = bitWidth / 32;
      if (o.decimals === 'number') {
        return perCell((d, i) => Number(decimalText(d.values, i * stride, stride, scale)));
      }
      return perCell((d, i) => decimalText(d.values, i * stride, stride, scale));
    }
    case Type.Utf8:
    case Type.LargeUtf8:
      return utf8Reader();
    case Type.Binary:
    case Type.LargeBinary:
      return perCell((d, i) => {
        const offsets = d.valueOffsets as Int32Array | BigInt64Array;
        return (d.values as Uint8Array).slice(Number(offsets[i]), Number(offsets[i + 1]));
      });
    case Type.FixedSizeBinary: {
      const width = (type as unknown as { byteWidth: number }).byteWidth;
      return perCell((d, i) => (d.values as Uint8Array).slice(i * width, (i + 1) * width));
    }
    case Type.Date:
    case Type.DateDay:
    case Type.DateMillisecond:
      return (type as unknown as { unit: number }).unit === 0 ? readDateDay : timestampDate(1);
    case Type.Time:
    case Type.TimeSecond:
    case Type.TimeMillisecond:
    case Type.TimeMicrosecond:
    case Type.TimeNanosecond: {
      const unit = (type as unknown as { unit: TimeUnit }).unit;
      return perCell((d, i) => timeOfDay(BigInt(d.values[i]), unit));
    }
    case Type.Timestamp:
    case Type.TimestampSecond:
    case Type.TimestampMillisecond:
    case Type.TimestampMicrosecond:
    case Type.TimestampNanosecond: {
      const unit = (type as unknown as { unit: TimeUnit }).unit;
      const toNs = NS_PER_UNIT[unit];
      if (o.timestamps === 'bigint') {
        return toNs === 1n ? readPlain : perCell((d, i) => BigInt(d.values[i]) * toNs);
      }
      if (o.timestamps === 'string') return perCell((d, i) => isoFromEpoch(BigInt(d.values[i]), unit));
      return timestampDate(Number(toNs) / 1e6);
    }
    case Type.Duration:
    case Type.DurationSecond:
    case Type.DurationMillisecond:
    case Type.DurationMicrosecond:
    case Type.DurationNanosecond:
      return readPlain;
    case Type.Interval:
    case Type.IntervalDayTime:
    case Type.IntervalYearMonth:
      return intervalReader((type as unknown as { unit: IntervalUnit }).unit);
    case Type.List:
    case Type.LargeList:
      return listReader(type, child);
    case Type.FixedSizeList:
      return fixedSizeListReader(type, child);
    case Type.Struct:
      return structReader(type, child);
    case Type.Map:
      return mapReader(type, child);
    case Type.Union:
    case Type.DenseUnion:
    case Type.SparseUnion:
      return unionReader(type, child);
    case Type.Dictionary:
      return dictionaryReader(type, child);
    default:
      // Types without a reader of ours (e.g. Utf8View, BinaryView): apache-arrow's own getter.
      return perCell((d, i) => vectorOf(d).get(i));
  }
}

const readNull: Read = (_d, start, end, out, at) => {
  for (let i = start; i < end; i++, at++) out[at] = null;
};

const readBool: Read = (d, start, end, out, at) => {
  const bits = validityOf(d);
  const offset = d.offset;
  // Bool values are not sliced with the Data (its offset counts bits), unlike other buffers.
  const values = d.values as Uint8Array;
  for (let i = start; i < end; i++, at++) {
    const j = offset + i;
    out[at] = bits !== null && isNull(bits, j) ? null : (values[j >> 3]! & (1 << (j & 7))) !== 0;
  }
};

/** Cells that are their typed array's elements as they are (numbers, or bigints for 64 bits). */
const readPlain: Read = (d, start, end, out, at) => {
  const bits = validityOf(d);
  const offset = d.offset;
  const values = d.values as ArrayLike<unknown>;
  for (let i = start; i < end; i++, at++) {
    out[at] = bits !== null && isNull(bits, offset + i) ? null : values[i];
  }
};

/** Int64/UInt64 as numbers: the words joined in one rounding, which is what Number(bigint) does. */
const readInt64AsNumber: Read = (d, start, end, out, at) => {
  const bits = validityOf(d);
  const offset = d.offset;
  const values = d.values as BigInt64Array | BigUint64Array;
  const words = wordsOf(values);
  const unsigned = values instanceof BigUint64Array;
  for (let i = start; i < end; i++, at++) {
    if (bits !== null && isNull(bits, offset + i)) out[at] = null;
    else if (words === null) out[at] = Number(values[i]);
    else if (unsigned) out[at] = (words[2 * i + 1]! >>> 0) * WORD + (words[2 * i]! >>> 0);
    else out[at] = words[2 * i + 1]! * WORD + (words[2 * i]! >>> 0);
  }
};

const readDateDay: Read = (d, start, end, out, at) => {
  const bits = validityOf(d);
  const offset = d.offset;
  const values = d.values as Int32Array;
  for (let i = start; i < end; i++, at++) {
    out[at] = bits !== null && isNull(bits, offset + i) ? null : new Date(values[i]! * 86_400_000);
  }
};

/**
 * 64-bit counts of `perMs` milliseconds as Dates. Units of a millisecond or more multiply;
 * finer units divide, rounding toward negative infinity (the instant's millisecond). Values a
 * double holds exactly (all of ±285,000 years in microseconds) take number arithmetic, which
 * gives the same result as the bigint arithmetic the others take.
 */
function timestampDate(perMs: number): Read {
  if (perMs >= 1) {
    return (d, start, end, out, at) => {
      const bits = validityOf(d);
      const offset = d.offset;
      const values = d.values as BigInt64Array;
      const words = wordsOf(values);
      for (let i = start; i < end; i++, at++) {
        if (bits !== null && isNull(bits, offset + i)) out[at] = null;
        else if (words === null) out[at] = new Date(Number(values[i]) * perMs);
        else out[at] = new Date((words[2 * i + 1]! * WORD + (words[2 * i]! >>> 0)) * perMs);
      }
    };
  }
  const divisor = Number(BigInt(1 / perMs));
  const bigDivisor = BigInt(divisor);
  return (d, start, end, out, at) => {
    const bits = validityOf(d);
    const offset = d.offset;
    const values = d.values as BigInt64Array;
    const words = wordsOf(values);
    for (let i = start; i < end; i++, at++) {
      if (bits !== null && isNull(bits, offset + i)) {
        out[at] = null;
        continue;
      }
      const hi = words === null ? HI_EXACT : words[2 * i + 1]!;
      if (hi >= HI_EXACT || hi < -HI_EXACT) {
        out[at] = new Date(Number(floorDiv(BigInt(values[i]!), bigDivisor)));
        continue;
      }
      // Exact: v - rest is a multiple of divisor, so the division rounds nothing.
      const v = hi * WORD + (words![2 * i]! >>> 0);
      const rest = v % divisor;
      out[at] = new Date((v - rest) / divisor - (rest < 0 ? 1 : 0));
    }
  };
}

function intervalReader(unit: IntervalUnit): Read {
  if (unit === IntervalUnit.YEAR_MONTH) return perCell((d, i) => ({ months: d.values[i] }));
  if (unit === IntervalUnit.DAY_TIME) {
    return perCell((d, i) => ({ days: d.values[i * 2], milliseconds: d.values[i * 2 + 1] }));
  }
  // MONTH_DAY_NANO: int32 months, int32 days, int64 nanoseconds (16 bytes).
  return perCell((d: Data, i) => {
    const view = new DataView(d.values.buffer, d.values.byteOffset + i * 16, 16);
    return {
      months: view.getInt32(0, true),
      days: view.getInt32(4, true),
      nanoseconds: view.getBigInt64(8, true),
    };
  });
}
