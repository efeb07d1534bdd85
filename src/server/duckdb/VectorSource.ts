import type { Vector as RawVector } from '@duckdb/node-bindings';
import type { DuckDBRuntime } from './runtime';

/**
 * 2^32: DuckDB's uint64 fields (list entries, string pointers) are read as two uint32 words,
 * `high * TWO_32 + low`, exact below 2^53.
 */
export const TWO_32 = 4294967296;

/** `bytes`, copied if needed so that it starts 8-byte aligned and views of any width fit on it. */
function aligned(bytes: Uint8Array): Uint8Array {
  return (bytes.byteOffset & 7) === 0 ? bytes : bytes.slice();
}

/**
 * One DuckDB vector of one chunk, as the builders read it: its data and validity are fetched
 * at most once, since each fetch is a native call that copies them into a fresh Buffer
 * (`vector_get_data` and `vector_get_validity` return copies, never views of DuckDB memory).
 */
export class VectorSource {
  private dataBytes: Uint8Array | undefined;
  private validityBits: Uint8Array | null | undefined;
  private children: VectorSource[] | undefined;
  /** node-api's view of the vector, created by the text fallback on first use. */
  apiVector: { getItem(row: number): unknown } | undefined;

  constructor(
    readonly runtime: DuckDBRuntime,
    readonly vector: RawVector,
    /** Rows in the vector. */
    readonly rows: number,
  ) {}

  /** The vector's values, `width` bytes each, 8-byte aligned. */
  data(width: number): Uint8Array {
    if (this.dataBytes === undefined) {
      this.dataBytes =
        this.rows === 0
          ? new Uint8Array(0)
          : aligned(this.runtime.bindings.vector_get_data(this.vector, this.rows * width));
    }
    return this.dataBytes;
  }

  /** Arrow-layout validity bitmap (DuckDB's has the same bit order), or null when every row is valid. */
  validity(): Uint8Array | null {
    if (this.validityBits === undefined) {
      this.validityBits =
        this.rows === 0
          ? null
          : (this.runtime.bindings.vector_get_validity(this.vector, ((this.rows + 63) >> 6) * 8) ?? null);
    }
    return this.validityBits;
  }

  /** The child vector of a LIST or MAP vector (all the chunk's elements). */
  listChild(): VectorSource {
    const { bindings } = this.runtime;
    this.children ??= [
      new VectorSource(
        this.runtime,
        bindings.list_vector_get_child(this.vector),
        bindings.list_vector_get_size(this.vector),
      ),
    ];
    return this.children[0];
  }

  /** The child vector of an ARRAY vector of `size` elements per row. */
  arrayChild(size: number): VectorSource {
    this.children ??= [
      new VectorSource(
        this.runtime,
        this.runtime.bindings.array_vector_get_child(this.vector),
        this.rows * size,
      ),
    ];
    return this.children[0];
  }

  /** Member `index` of a STRUCT vector (for a UNION: 0 is the tag, then the members). */
  structChild(index: number): VectorSource {
    this.children ??= [];
    return (this.children[index] ??= new VectorSource(
      this.runtime,
      this.runtime.bindings.struct_vector_get_child(this.vector, index),
      this.rows,
    ));
  }
}
