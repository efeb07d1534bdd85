/**
 * `createPool()`: its options (and those of `pool.query()`), their defaults and checks, and the
 * default check of a pooled connection.
 */
import { DatabaseError, OperationalError, ProgrammingError, type Error as FlightSQLError } from '../errors';
import type { CallOptions } from '../flight';
import type { Row, ValueOptions } from '../values';
import { connect, resolveConnectOptions, type ConnectOptions } from './connect';
import type { Connection, ConnectionOptions } from './Connection';
import type { ExecuteOptions } from './Cursor';
import { Pool, definedOnly } from './pool';
import type { PoolConnection } from './PoolConnection';
import type { Column } from './types';

/** Options of `createPool()`: those of `connect()` plus the pool's own. */
export interface PoolOptions extends ConnectOptions {
  /** Most connections open at once, checked out or idle (default 10). */
  readonly max?: number;
  /** Idle connections kept open whatever `idleTimeoutMillis` says, opened when the pool is made (default 0). */
  readonly min?: number;
  /** An idle connection above `min` is closed after this many milliseconds (default 10 000; 0: never). */
  readonly idleTimeoutMillis?: number;
  /**
   * Longest wait for a connection in `connect()` and `query()`, in milliseconds (default 30 000;
   * 0: no limit); then an OperationalError that says how many connections are in use.
   */
  readonly acquireTimeoutMillis?: number;
  /** Checkouts after which a connection is closed rather than reused (default: no limit). */
  readonly maxUses?: number;
  /**
   * Checks a connection before a checkout reuses it, when it sat idle for `validateAfterIdleMillis`
   * or its last checkout met a call failure that may hide a dead link (a deadline, a
   * cancellation); resolves false (or rejects) when it is not usable, and it is closed. Default:
   * one ListActions call, where any answer of the server counts as alive. `false`: never check.
   */
  readonly validate?: false | PoolValidate;
  /** Idle time after which a connection is checked before reuse, in milliseconds (default 5000). */
  readonly validateAfterIdleMillis?: number;
  /**
   * Opens a connection (default: `connect(options)`), e.g. to run set-up statements on each new
   * connection. Checkouts use its `client` and `serverInfo`; the pool's autocommit and row
   * options apply to each checkout.
   */
  readonly create?: (options: ConnectOptions) => Promise<Connection<Row>>;
}

/** A check of a pooled connection: resolves true when it is usable (`options` carry a deadline). */
export type PoolValidate = (connection: Connection<Row>, options: CallOptions) => Promise<boolean>;

/** Options of `pool.query()`: the statement's (as `cursor.execute`) and its row options. */
export interface PoolQueryOptions extends ExecuteOptions, ValueOptions {}

/** The row type of `pool.query()` with `options`: its `rowMode`'s, else the pool's (`R`). */
export type RowOf<O extends PoolQueryOptions, R extends Row> = O['rowMode'] extends 'object'
  ? Record<string, unknown>
  : O['rowMode'] extends 'array'
    ? unknown[]
    : R;

/** What `pool.query()` returns (node-postgres' result, with PEP 249's `description`). */
export interface PoolQueryResult<R extends Row = unknown[]> {
  /** Every row, shaped by `rowMode` (arrays by default); empty for a statement that returns none. */
  readonly rows: R[];
  /** Rows returned by a query; rows affected by an update, or -1 when the server did not say. */
  readonly rowCount: number;
  /** PEP 249 column descriptions (`[name, typeCode, ...]`); null for a statement without rows. */
  readonly description: Column[] | null;
}

/** The events of a Pool (node-postgres' names); 'error' is emitted only when someone listens. */
export type PoolEvents<R extends Row = unknown[]> = {
  /** A new connection opened. */
  connect: [connection: Connection<Row>];
  /** A connection was checked out. */
  acquire: [connection: PoolConnection<R>];
  /** A checkout ended. */
  release: [connection: PoolConnection<R>];
  /** A connection was closed and left the pool. */
  remove: [connection: Connection<Row>];
  /** A failure nobody waited for: opening a connection to keep `min`, closing one. */
  error: [error: FlightSQLError];
};

/**
 * Makes a pool of connections to `target` (as `connect()` takes it: a `flightsql://` URL, a
 * location, or the options); `options` add the pool's settings and override the target's.
 * Opens nothing until the first checkout (or `min` connections at once).
 */
export function createPool(
  target: PoolOptions & { readonly rowMode: 'object' },
): Pool<Record<string, unknown>>;
export function createPool(
  target: string | PoolOptions | undefined,
  options: PoolOptions & { readonly rowMode: 'object' },
): Pool<Record<string, unknown>>;
export function createPool(target?: string | PoolOptions, options?: PoolOptions): Pool;
export function createPool(target?: string | PoolOptions, options: PoolOptions = {}): Pool<Row> {
  return new Pool<Row>(resolvePoolOptions(target, options));
}

/** @internal The pool's numeric settings (PoolOptions' fields of the same names), defaults applied. */
export interface PoolSettings {
  readonly max: number;
  readonly min: number;
  readonly idleTimeoutMillis: number;
  readonly acquireTimeoutMillis: number;
  readonly maxUses: number;
  readonly validateAfterIdleMillis: number;
}

const DEFAULTS: PoolSettings = {
  max: 10,
  min: 0,
  idleTimeoutMillis: 10_000,
  acquireTimeoutMillis: 30_000,
  maxUses: Infinity,
  validateAfterIdleMillis: 5000,
};

/** @internal Everything a pool needs to know, from `createPool(target, options)`. */
export interface ResolvedPoolOptions {
  /** The numeric settings. */
  readonly settings: PoolSettings;
  /** The check before reuse, or undefined for none. */
  readonly validate: PoolValidate | undefined;
  /** Opens a connection. */
  readonly create: (options: ConnectOptions) => Promise<Connection<Row>>;
  /** Options of each new connection. */
  readonly connectOptions: ConnectOptions;
  /** Autocommit and row options of each checkout. */
  readonly connectionOptions: ConnectionOptions;
}

/** @internal Applies defaults and checks the settings (a bad one is a ProgrammingError). */
export function resolvePoolOptions(
  target?: string | PoolOptions,
  options: PoolOptions = {},
): ResolvedPoolOptions {
  const [fromTarget, targetConnect] = splitOptions(typeof target === 'string' ? undefined : target);
  const [fromOptions, optionsConnect] = splitOptions(options);
  const { validate, create, ...numbers } = { ...fromTarget, ...fromOptions };
  const resolved = resolveConnectOptions(typeof target === 'string' ? target : targetConnect, optionsConnect);
  const { autocommit, arraysize, rowMode, timestamps, int64, decimals } = resolved;
  return {
    settings: checkSettings({ ...DEFAULTS, ...definedOnly(numbers) }),
    validate: validate === false ? undefined : (validate ?? ping),
    create: create ?? ((o) => connect(o)),
    // A channel (HTTP/2 connection) of its own per pooled connection: `max` bounds the sockets,
    // and a replacement for a broken connection dials at once instead of inheriting grpc-js's
    // reconnect backoff from a shared one.
    connectOptions: {
      ...resolved,
      channelOptions: { 'grpc.use_local_subchannel_pool': 1, ...resolved.channelOptions },
    },
    connectionOptions: { autocommit, arraysize, rowMode, timestamps, int64, decimals },
  };
}

/** Splits the pool's settings from the options of each connection. */
function splitOptions(
  options: PoolOptions | undefined,
): [Partial<PoolSettings> & Pick<PoolOptions, 'validate' | 'create'>, ConnectOptions | undefined] {
  if (!options) return [{}, undefined];
  const {
    max,
    min,
    idleTimeoutMillis,
    acquireTimeoutMillis,
    maxUses,
    validateAfterIdleMillis,
    validate,
    create,
    ...connectOptions
  } = options;
  const settings = { max, min, idleTimeoutMillis, acquireTimeoutMillis, maxUses, validateAfterIdleMillis };
  return [definedOnly({ ...settings, validate, create }), connectOptions];
}

function checkSettings(settings: PoolSettings): PoolSettings {
  const { max, min, maxUses } = settings;
  if (!Number.isInteger(max) || max < 1)
    throw new ProgrammingError(`max must be a whole number >= 1, not ${max}`);
  if (!Number.isInteger(min) || min < 0 || min > max) {
    throw new ProgrammingError(`min must be a whole number from 0 to max (${max}), not ${min}`);
  }
  if (maxUses !== Infinity && (!Number.isInteger(maxUses) || maxUses < 1)) {
    throw new ProgrammingError(`maxUses must be a whole number >= 1, not ${maxUses}`);
  }
  for (const name of ['idleTimeoutMillis', 'acquireTimeoutMillis', 'validateAfterIdleMillis'] as const) {
    const value = settings[name];
    if (!Number.isFinite(value) || value < 0 || value > 0x7fffffff) {
      throw new ProgrammingError(`${name} must be a number of milliseconds from 0 to 2^31 - 1, not ${value}`);
    }
  }
  return settings;
}

/** The default check: one ListActions call. Any answer of the server, even an error status, proves the link. */
async function ping(connection: Connection<Row>, options: CallOptions): Promise<boolean> {
  try {
    await connection.client.flight.listActions(options);
    return true;
  } catch (err) {
    return err instanceof DatabaseError && !(err instanceof OperationalError);
  }
}
