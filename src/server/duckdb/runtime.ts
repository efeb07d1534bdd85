/**
 * DuckDB's runtime modules, loaded on first use: DuckDB is an optional dependency, so the rest
 * of src/server imports only its types.
 */

/** `@duckdb/node-bindings`: the C API, with raw vector access. */
export type Bindings = typeof import('@duckdb/node-bindings');
/** `@duckdb/node-api`: the high-level API. */
export type NodeApi = typeof import('@duckdb/node-api');

/** The loaded DuckDB modules, plus scratch memory shared by the builders. */
export interface DuckDBRuntime {
  readonly bindings: Bindings;
  /** Only for the text fallback of types that have no direct Arrow mapping. */
  readonly api: NodeApi;
  /**
   * The address argument of `get_data_from_pointer`, which reads the address to copy from out
   * of an ArrayBuffer rather than taking a number.
   */
  readonly addressScratch: Uint32Array;
}

let runtime: Promise<DuckDBRuntime> | undefined;

/** Loads DuckDB's modules once (a failed load is retried by the next call). */
export function loadRuntime(): Promise<DuckDBRuntime> {
  runtime ??= (async () => {
    const [bindingsModule, apiModule] = await Promise.all([
      import('@duckdb/node-bindings'),
      import('@duckdb/node-api'),
    ]);
    // Loaded as CommonJS through import(): the module object may or may not be under `default`.
    const bindings = ((bindingsModule as { default?: Bindings }).default ?? bindingsModule) as Bindings;
    const api = (
      (apiModule as Partial<NodeApi>).DuckDBVector ? apiModule : (apiModule as { default?: unknown }).default
    ) as NodeApi;
    // Booleans are read as one byte per value.
    if (bindings.sizeof_bool !== 1) throw new Error(`unsupported DuckDB bool size ${bindings.sizeof_bool}`);
    return { bindings, api, addressScratch: new Uint32Array(2) };
  })();
  runtime.catch(() => (runtime = undefined));
  return runtime;
}
