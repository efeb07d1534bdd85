/**
 * Loads nodejs-polars, an optional peer dependency, the first time a DataFrame method needs
 * it, and says exactly what to install when it cannot: the package itself, or (a case of its
 * own) the platform package that holds its native binary.
 */
import { InterfaceError, messageOf } from '../errors';

/** The nodejs-polars module (`import pl from 'nodejs-polars'`). */
export type Polars = typeof import('nodejs-polars').default;
/** A nodejs-polars DataFrame. */
export type PolarsDataFrame = import('nodejs-polars').DataFrame;

let loaded: Polars | undefined;

/**
 * The nodejs-polars module, loaded once. Throws InterfaceError naming the npm command that
 * fixes it when the package, or its native binary for this platform, is missing.
 */
export function loadPolars(): Polars {
  if (loaded !== undefined) return loaded;
  let mod: { default?: Polars } & Polars;
  try {
    // A synchronous require: DataFrame methods such as polarsToTable are synchronous, and our
    // build is CommonJS (the ES module entry re-exports it), so require exists wherever we run.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('nodejs-polars') as { default?: Polars } & Polars;
  } catch (err) {
    throw polarsMissing(err);
  }
  loaded = mod.default ?? mod;
  return loaded;
}

/** The error for a failed `require('nodejs-polars')`. */
export function polarsMissing(err: unknown): InterfaceError {
  const text = messageOf(err);
  // nodejs-polars loads its binary from a per-platform package (nodejs-polars-linux-x64-gnu...).
  const binary = /Cannot find module '(nodejs-polars-[\w-]+)'/.exec(text)?.[1];
  if (binary !== undefined) {
    const version = polarsVersion();
    const major = Number(process.versions.node.split('.')[0]);
    // The platform packages of 0.25 declare engines node >= 22, so npm leaves them out on
    // Node 20 without a word, although the binary works there.
    const why =
      major < 22
        ? ` npm skips it on Node ${process.versions.node} because the package declares engines node >= 22 (it works on Node 20).`
        : '';
    return new InterfaceError(
      `nodejs-polars is installed but its native binary for this platform (${binary}) is missing:${why} Install it with: npm install ${binary}${version ? `@${version}` : ''}`,
      { cause: err },
    );
  }
  if (
    /Cannot find module 'nodejs-polars'/.test(text) ||
    (err as { code?: string })?.code === 'MODULE_NOT_FOUND'
  ) {
    return new InterfaceError(
      'nodejs-polars is not installed: npm install nodejs-polars (an optional peer dependency of flightsql)',
      { cause: err },
    );
  }
  return new InterfaceError(`nodejs-polars failed to load: ${text}`, { cause: err });
}

/** The installed nodejs-polars version (its platform package must match it), if readable. */
function polarsVersion(): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('nodejs-polars/package.json') as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * True for a nodejs-polars DataFrame, checked without loading nodejs-polars (its DataFrames
 * come from a factory, so `instanceof` cannot tell; their toStringTag says `DataFrame`).
 */
export function isPolarsDataFrame(value: unknown): value is PolarsDataFrame {
  return (
    value !== null &&
    typeof value === 'object' &&
    Object.prototype.toString.call(value) === '[object DataFrame]' &&
    typeof (value as { writeIPCStream?: unknown }).writeIPCStream === 'function'
  );
}
