/**
 * DuckDB's runtime modules, loaded on first use: DuckDB is an optional peer dependency, so the
 * rest of src/server imports only its types, and a client-only install never loads it.
 */
import { InterfaceError } from '../../errors';

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
    ]).catch(duckDBMissing);
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

/** The engine is not installed (or cannot load here): say what to do. */
function duckDBMissing(err: unknown): never {
  const code = (err as { code?: unknown }).code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
    throw new InterfaceError(
      'the embedded server needs DuckDB, an optional peer dependency of flightsql: npm install @duckdb/node-api',
      { cause: err },
    );
  throw new InterfaceError(`the embedded server could not load DuckDB (@duckdb/node-api): ${String(err)}`, {
    cause: err,
  });
}
