import type { DuckDBType } from '@duckdb/node-api';
import type { DataType, Dictionary } from 'apache-arrow';
import type { ColumnBuilder } from './ColumnBuilder';
import { BoolBuilder, FixedWidthBuilder, NullBuilder, RowConvertingBuilder } from './fixedBuilders';
import {
  DictionaryBuilder,
  FixedSizeListBuilder,
  ListBuilder,
  StructBuilder,
  UnionBuilder,
} from './nestedBuilders';
import { StringBuilder, TextBuilder } from './stringBuilders';
import { bignumText, bitText, fallbackText, uhugeintText, uuidText } from './textValues';
import { decimalStorageWidth, enumStorageWidth, TypeId } from './types';
import { decimalWiden, intervalToMonthDayNano, timeTzToUtc, widenIndex } from './valueConverters';

/** Types whose DuckDB storage is already their Arrow layout: bytes per value. */
const FIXED_WIDTH: Partial<Record<number, number>> = {
  [TypeId.TINYINT]: 1,
  [TypeId.UTINYINT]: 1,
  [TypeId.SMALLINT]: 2,
  [TypeId.USMALLINT]: 2,
  [TypeId.INTEGER]: 4,
  [TypeId.UINTEGER]: 4,
  [TypeId.FLOAT]: 4,
  [TypeId.DATE]: 4,
  [TypeId.BIGINT]: 8,
  [TypeId.UBIGINT]: 8,
  [TypeId.DOUBLE]: 8,
  [TypeId.TIME]: 8,
  [TypeId.TIME_NS]: 8,
  [TypeId.TIMESTAMP]: 8,
  [TypeId.TIMESTAMP_S]: 8,
  [TypeId.TIMESTAMP_MS]: 8,
  [TypeId.TIMESTAMP_NS]: 8,
  [TypeId.TIMESTAMP_TZ]: 8,
  [TypeId.HUGEINT]: 16,
};

/**
 * The builder of a column of DuckDB type `t` streamed as Arrow type `arrowType` (which must be
 * `arrowTypeFor(t)`, dictionary ids included).
 */
export function makeColumnBuilder(t: DuckDBType, arrowType: DataType): ColumnBuilder {
  const fixed = FIXED_WIDTH[t.typeId];
  if (fixed !== undefined) return new FixedWidthBuilder(arrowType, fixed);
  switch (t.typeId) {
    case TypeId.BOOLEAN:
      return new BoolBuilder(arrowType);
    case TypeId.DECIMAL: {
      const w = decimalStorageWidth(t.width);
      return w === 16
        ? new FixedWidthBuilder(arrowType, 16)
        : new RowConvertingBuilder(arrowType, 16, w, decimalWiden(w));
    }
    case TypeId.TIME_TZ:
      return new RowConvertingBuilder(arrowType, 8, 8, timeTzToUtc());
    case TypeId.INTERVAL:
      return new RowConvertingBuilder(arrowType, 16, 16, intervalToMonthDayNano());
    case TypeId.VARCHAR:
    case TypeId.BLOB:
    case TypeId.GEOMETRY:
      return new StringBuilder(arrowType);
    case TypeId.UUID:
      return new TextBuilder(arrowType, uuidText);
    case TypeId.UHUGEINT:
      return new TextBuilder(arrowType, uhugeintText);
    case TypeId.BIT:
      return new TextBuilder(arrowType, bitText);
    case TypeId.BIGNUM:
      return new TextBuilder(arrowType, bignumText);
    case TypeId.SQLNULL:
      return new NullBuilder(arrowType);
    case TypeId.ENUM: {
      const type = arrowType as Dictionary;
      const srcWidth = enumStorageWidth(t.internalTypeId, t.values.length);
      const outWidth = type.indices.bitWidth / 8;
      const indices =
        srcWidth === outWidth
          ? new FixedWidthBuilder(type.indices, outWidth)
          : new RowConvertingBuilder(
              type.indices,
              outWidth,
              srcWidth,
              widenIndex(srcWidth, outWidth as 2 | 4),
            );
      return new DictionaryBuilder(type, indices, t.values);
    }
    case TypeId.LIST:
      return new ListBuilder(arrowType, makeColumnBuilder(t.valueType, arrowType.children[0].type));
    case TypeId.MAP: {
      const entries = arrowType.children[0].type as DataType;
      const keyValue = [
        makeColumnBuilder(t.keyType, entries.children[0].type),
        makeColumnBuilder(t.valueType, entries.children[1].type),
      ];
      return new ListBuilder(arrowType, new StructBuilder(entries, keyValue));
    }
    case TypeId.ARRAY:
      return new FixedSizeListBuilder(
        arrowType,
        t.length,
        makeColumnBuilder(t.valueType, arrowType.children[0].type),
      );
    case TypeId.STRUCT:
      return new StructBuilder(
        arrowType,
        t.entryTypes.map((et, i) => makeColumnBuilder(et, arrowType.children[i].type)),
      );
    case TypeId.UNION:
      return new UnionBuilder(
        arrowType,
        t.memberTypes.map((mt, i) => makeColumnBuilder(mt, arrowType.children[i].type)),
      );
    default:
      return new TextBuilder(arrowType, fallbackText(t));
  }
}
