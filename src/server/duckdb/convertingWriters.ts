/**
 * Arrow column writers that convert each value rather than copy bytes: to DuckDB's units (times
 * and zoned timestamps of coarse units, Date64 days, intervals and durations) or widths (half
 * floats). Exact, or refused: an interval below DuckDB's microsecond is an error, not rounded.
 */
import { status as Status } from '@grpc/grpc-js';
import { Type, type DataType } from 'apache-arrow';
import { StatusError } from '../statusErrors';
import type { ArrowTypeFields, Write } from './arrowVectors';
import type { DuckDBRuntime } from './runtime';
import { copyInto, isValid, setValidity, validityOf, viewOf } from './vectorMemory';

/** Float16 to FLOAT (every half float is a float exactly). */
export function halfFloatWriter(rt: DuckDBRuntime): Write {
  return (vector, data, start, count, parent) => {
    setValidity(rt, vector, validityOf(data, start, count, parent));
    const halves = data.values as Uint16Array;
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const h = halves[start + i]!;
      const exponent = (h >> 10) & 0x1f;
      const fraction = h & 0x3ff;
      const sign = h & 0x8000 ? -1 : 1;
      out[i] =
        exponent === 0
          ? sign * 2 ** -14 * (fraction / 1024)
          : exponent === 31
            ? fraction
              ? NaN
              : sign * Infinity
            : sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
    }
    copyInto(rt, vector, out, 0, count * 4);
  };
}

/** Date64 (milliseconds) to DuckDB's days. */
export function date64Writer(rt: DuckDBRuntime): Write {
  return (vector, data, start, count, parent) => {
    setValidity(rt, vector, validityOf(data, start, count, parent));
    const view = viewOf(data);
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++)
      out[i] = Math.floor(Number(view.getBigInt64((start + i) * 8, true)) / 86_400_000);
    copyInto(rt, vector, out, 0, count * 4);
  };
}

/** Integers of `width` bytes times `factor`, as int64 (times and zoned timestamps of coarse units). */
export function scaledWriter(rt: DuckDBRuntime, width: 4 | 8, factor: bigint): Write {
  return (vector, data, start, count, parent) => {
    setValidity(rt, vector, validityOf(data, start, count, parent));
    const view = viewOf(data);
    const out = new BigInt64Array(count);
    for (let i = 0; i < count; i++) {
      const at = (start + i) * width;
      const value = width === 4 ? BigInt(view.getInt32(at, true)) : view.getBigInt64(at, true);
      out[i] = BigInt.asIntN(64, value * factor);
    }
    copyInto(rt, vector, out, 0, count * 8);
  };
}

/** Arrow intervals and durations to DuckDB's (months int32, days int32, micros int64). */
export function intervalWriter(rt: DuckDBRuntime, type: DataType): Write {
  const { unit } = type as unknown as ArrowTypeFields;
  const isDuration = type.typeId === Type.Duration;
  return (vector, data, start, count, parent) => {
    const mask = validityOf(data, start, count, parent);
    setValidity(rt, vector, mask);
    const view = viewOf(data);
    const out = new DataView(new ArrayBuffer(count * 16));
    for (let i = 0; i < count; i++) {
      const row = start + i;
      let months = 0;
      let days = 0;
      let nanos = 0n;
      if (isDuration)
        nanos = view.getBigInt64(row * 8, true) * [1_000_000_000n, 1_000_000n, 1000n, 1n][unit!]!;
      else if (unit === 0)
        months = view.getInt32(row * 4, true); // YEAR_MONTH
      else if (unit === 1) {
        days = view.getInt32(row * 8, true); // DAY_TIME: days, milliseconds
        nanos = BigInt(view.getInt32(row * 8 + 4, true)) * 1_000_000n;
      } else {
        months = view.getInt32(row * 16, true); // MONTH_DAY_NANO
        days = view.getInt32(row * 16 + 4, true);
        nanos = view.getBigInt64(row * 16 + 8, true);
      }
      if (nanos % 1000n !== 0n && isValid(mask, i))
        throw new StatusError(
          Status.INVALID_ARGUMENT,
          'DuckDB intervals hold whole microseconds: an interval has nanoseconds',
        );
      out.setInt32(i * 16, months, true);
      out.setInt32(i * 16 + 4, days, true);
      out.setBigInt64(i * 16 + 8, nanos / 1000n, true);
    }
    copyInto(rt, vector, out, 0, count * 16);
  };
}
