/**
 * Checks a RecordBatch (or a DictionaryBatch's data) header against its schema and body
 * before apache-arrow's VectorLoader turns it into Data, the way arrow-rs `RecordBatchDecoder`
 * + `ArrayData::validate` and Arrow C++ `ArrayLoader` + `ValidateArrayImpl` do:
 *
 * - `planBatch`: one field node per column (and per child) and the buffer count each type
 *   needs, lengths and null counts that are counts, every top-level column as long as the
 *   batch, struct and sparse-union children at least as long as their parent, fixed-size-list
 *   children at least `length * listSize`; and for every buffer the bytes its column needs.
 *
 * Then `validateBuffers.ts` holds the buffers to the plan and the body, and once the Data is
 * built `validateValues.ts` scans offsets, type ids, dictionary indices and views.
 * Planning is O(columns + buffers) and allocates nothing per claimed length.
 */
import { Type, type DataType } from 'apache-arrow';
import { MetadataVersion } from 'apache-arrow/enum';
import type { RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { protocolError } from '../errors';

/** A column to check: its type and how errors name it. */
export interface Column {
  readonly type: DataType;
  readonly path: string;
}

export type Role = 'validity' | 'values' | 'offsets' | 'type ids' | 'views' | 'data' | 'unused validity';

/** What one buffer of the body must hold. */
export interface Need {
  readonly path: string;
  readonly type: DataType;
  readonly role: Role;
  /** Bytes the column needs in this buffer. */
  readonly bytes: number;
  readonly length: number;
  readonly nullCount: number;
}

/** The buffers a batch must have, from its header and schema alone. */
export interface BatchPlan {
  readonly needs: readonly Need[];
  /** Cells (node lengths) that no byte of their own buffers backs. */
  readonly unbacked: number;
}

/** The ProtocolError for a broken message, naming the message and the column. */
export function batchError(what: string, path: string | undefined, problem: string) {
  return protocolError(path === undefined ? `${what}: ${problem}` : `${what} column ${path}: ${problem}`);
}

export function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/**
 * Walks the schema over the header's field nodes as the loader will, and lists what every
 * buffer must hold. `what` names the message in errors ("RecordBatch", "DictionaryBatch 3").
 */
export function planBatch(
  what: string,
  header: RecordBatchHeader,
  columns: readonly Column[],
  version: MetadataVersion,
): BatchPlan {
  if (!isCount(header.length)) throw batchError(what, undefined, `length ${header.length} is not a count`);
  const planner = new Planner(what, header, version < MetadataVersion.V5);
  // The batch is a struct without a validity bitmap: its length is backed only by its columns.
  planner.unbacked = header.length;
  for (const column of columns) {
    const length = planner.column(column.type, column.path);
    if (length !== header.length) {
      throw batchError(what, column.path, `has ${length} rows in a batch of ${header.length}`);
    }
  }
  const { nodes, buffers, variadicBufferCounts } = header;
  if (planner.nodes !== nodes.length) {
    throw batchError(what, undefined, `${nodes.length} field nodes where the schema needs ${planner.nodes}`);
  }
  if (planner.needs.length !== buffers.length) {
    throw batchError(
      what,
      undefined,
      `${buffers.length} buffers where the schema needs ${planner.needs.length}`,
    );
  }
  if (planner.variadic !== variadicBufferCounts.length) {
    throw batchError(
      what,
      undefined,
      `${variadicBufferCounts.length} variadic buffer counts for ${planner.variadic} view columns`,
    );
  }
  return { needs: planner.needs, unbacked: planner.unbacked };
}

class Planner {
  readonly needs: Need[] = [];
  nodes = 0;
  variadic = 0;
  unbacked = 0;
  readonly #what: string;
  readonly #header: RecordBatchHeader;
  readonly #unionValidity: boolean;
  /** Bytes needed by the own buffers of the node being planned (children set their own). */
  #own = 0;
  /** The type of the node being planned. */
  #type: DataType | undefined;

  constructor(what: string, header: RecordBatchHeader, unionValidity: boolean) {
    this.#what = what;
    this.#header = header;
    this.#unionValidity = unionValidity;
  }

  #fail(path: string, problem: string): never {
    throw batchError(this.#what, path, problem);
  }

  /** Plans one column (and its children); returns its length. */
  column(type: DataType, path: string): number {
    const node = this.#header.nodes[this.nodes++];
    if (!node) this.#fail(path, `has no field node (the header has ${this.#header.nodes.length})`);
    const { length, nullCount } = node;
    // -1 is "unknown, count the bitmap" (C++ kUnknownNullCount; apache-arrow writes it).
    if (!isCount(length) || !(isCount(nullCount) || nullCount === -1) || nullCount > length) {
      this.#fail(path, `field node claims length ${length} with null count ${nullCount}`);
    }
    const outer = this.#own;
    const outerType = this.#type;
    this.#own = 0;
    this.#type = type;
    const t = type as unknown as { listSize: number; mode: number };
    switch (type.typeId) {
      case Type.Null:
        if (nullCount !== length && nullCount !== -1)
          this.#fail(path, `a Null column has null count ${nullCount}, not ${length}`);
        break;
      case Type.Bool:
        this.#validity(path, length, nullCount);
        this.#need(path, 'values', Math.ceil(length / 8), length);
        break;
      case Type.Utf8:
      case Type.Binary:
      case Type.LargeUtf8:
      case Type.LargeBinary:
        this.#validity(path, length, nullCount);
        this.#offsets(path, type, length);
        this.#need(path, 'data', 0, length);
        break;
      case Type.Utf8View:
      case Type.BinaryView:
        this.#validity(path, length, nullCount);
        this.#need(path, 'views', 16 * length, length);
        this.#variadicBuffers(path);
        break;
      case Type.List:
      case Type.LargeList:
      case Type.Map:
        this.#validity(path, length, nullCount);
        this.#offsets(path, type, length);
        this.#child(type, path, 0);
        break;
      case Type.FixedSizeList: {
        this.#validity(path, length, nullCount);
        const values = this.#child(type, path, 0);
        if (values < length * t.listSize) {
          this.#fail(path, `has ${values} values for ${length} lists of ${t.listSize}`);
        }
        break;
      }
      case Type.Struct:
        this.#validity(path, length, nullCount);
        for (let i = 0; i < type.children.length; i++) {
          const childLength = this.#child(type, path, i);
          if (childLength < length)
            this.#fail(path, `child ${i} has ${childLength} rows, fewer than ${length}`);
        }
        break;
      case Type.Union: {
        // V4 unions carried a validity bitmap, which the loader reads past (C++ refuses nulls there).
        if (this.#unionValidity) this.#need(path, 'unused validity', 0, length);
        this.#need(path, 'type ids', length, length);
        const dense = t.mode === 1;
        if (dense) this.#need(path, 'offsets', 4 * length, length);
        for (let i = 0; i < type.children.length; i++) {
          const childLength = this.#child(type, path, i);
          if (!dense && childLength < length) {
            this.#fail(path, `sparse child ${i} has ${childLength} rows, fewer than ${length}`);
          }
        }
        break;
      }
      case Type.Dictionary:
        this.#validity(path, length, nullCount);
        this.#need(
          path,
          'values',
          length * byteWidth((type as unknown as { indices: DataType }).indices),
          length,
        );
        break;
      default:
        // Fixed-width types; validateSchema has refused every other type.
        this.#validity(path, length, nullCount);
        this.#need(path, 'values', length * byteWidth(type), length);
    }
    // A node whose own buffers are too small to back its length counts against the budget.
    if (this.#own * 8 < length) this.unbacked += length;
    this.#own = outer;
    this.#type = outerType;
    return length;
  }

  #child(type: DataType, path: string, index: number): number {
    const child = type.children[index]!;
    return this.column(child.type, `${path}.${child.name ? JSON.stringify(child.name) : `#${index}`}`);
  }

  #need(path: string, role: Role, bytes: number, length: number, nullCount = 0): void {
    this.needs.push({ path, type: this.#type!, role, bytes, length, nullCount });
    this.#own += bytes;
  }

  #validity(path: string, length: number, nullCount: number): void {
    this.#need(path, 'validity', nullCount > 0 ? Math.ceil(length / 8) : 0, length, nullCount);
  }

  #offsets(path: string, type: DataType, length: number): void {
    const width =
      type.typeId === Type.LargeUtf8 || type.typeId === Type.LargeBinary || type.typeId === Type.LargeList
        ? 8
        : 4;
    // An empty column may omit its offsets (arrow-rs `typed_offsets`).
    this.#need(path, 'offsets', length > 0 ? (length + 1) * width : 0, length);
  }

  #variadicBuffers(path: string): void {
    const counts = this.#header.variadicBufferCounts;
    const count = counts[this.variadic++];
    if (count === undefined) this.#fail(path, 'has no variadic buffer count');
    // C++ GH-48900: a count beyond the buffers there are would allocate for nothing.
    const left = this.#header.buffers.length - this.needs.length;
    if (!isCount(count) || count > left)
      this.#fail(path, `claims ${count} variadic buffers, ${left} are left`);
    for (let i = 0; i < count; i++) this.#need(path, 'data', 0, 0);
  }
}

/** Bytes per value of a fixed-width type (validateSchema has checked its parameters). */
function byteWidth(type: DataType): number {
  const t = type as unknown as { bitWidth: number; precision: number; unit: number; byteWidth: number };
  switch (type.typeId) {
    case Type.Int:
    case Type.Decimal:
    case Type.Time:
      return t.bitWidth / 8;
    case Type.Float:
      return 2 << t.precision;
    case Type.Date:
      return t.unit === 0 ? 4 : 8;
    case Type.Interval:
      return [4, 8, 16][t.unit]!;
    case Type.FixedSizeBinary:
      return t.byteWidth;
    default:
      return 8; // Timestamp, Duration
  }
}
