/**
 * NODE_DEBUG=flightsql: one concise line per traced event, through `util.debuglog`. It names the
 * channels itself rather than importing diagnostics.ts (which loads it), so that subscribing at
 * load time sees no half-loaded module; channels of one name are one channel.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { debuglog } from 'node:util';
import type { ConnectionContext, QueryContext, WriteContext } from './diagnostics';

const queryChannel = diagnosticsChannel.tracingChannel<unknown, QueryContext>('flightsql:query');
const connectionChannel = diagnosticsChannel.tracingChannel<unknown, ConnectionContext>(
  'flightsql:connection',
);
const writeChannel = diagnosticsChannel.tracingChannel<unknown, WriteContext>('flightsql:write');

const debug = debuglog('flightsql');
if (debug.enabled) subscribeDebugLog(debug);

/**
 * Subscribes `log` (a `util.debuglog` function by default) to every channel: one line per
 * statement, connection event and write, e.g.
 * `query grpc+tcp://127.0.0.1:5000 "SELECT ..." 1000 rows 24 KB 3.1 ms`. NODE_DEBUG=flightsql
 * does this when the module loads. Returns a function that unsubscribes.
 */
export function subscribeDebugLog(log: (line: string) => void = debug): () => void {
  const started = new WeakMap<object, number>();
  const start = (context: object) => started.set(context, performance.now());
  const took = (context: object) => {
    const at = started.get(context);
    return at === undefined ? '' : ` ${(performance.now() - at).toFixed(1)} ms`;
  };
  const ignore = () => undefined;
  const query = {
    start,
    end: ignore,
    asyncStart: ignore,
    error: ignore,
    asyncEnd: (c: QueryContext) => log(`${describeQuery(c)}${took(c)}${failure(c)}`),
  };
  const connection = {
    start,
    // A connect is synchronous: it has no asyncEnd.
    end: (c: ConnectionContext) => (c.kind === 'connect' ? log(describeConnection(c, c.error)) : undefined),
    asyncStart: ignore,
    error: ignore,
    asyncEnd: (c: ConnectionContext) => log(`${describeConnection(c)}${took(c)}${failure(c)}`),
  };
  const write = {
    start,
    end: ignore,
    asyncStart: ignore,
    error: ignore,
    asyncEnd: (c: WriteContext) => log(`${describeWrite(c)}${took(c)}${failure(c)}`),
  };
  queryChannel.subscribe(query);
  connectionChannel.subscribe(connection);
  writeChannel.subscribe(write);
  return () => {
    queryChannel.unsubscribe(query);
    connectionChannel.unsubscribe(connection);
    writeChannel.unsubscribe(write);
  };
}

function describeQuery(c: QueryContext): string {
  const what = c.sql === undefined ? c.command : JSON.stringify(shorten(c.sql));
  let line = `${c.kind} ${c.server}${c.database === undefined ? '' : ` db=${c.database}`} ${what}`;
  if (c.state === 'cancelled') line += ' cancelled after';
  // A statement that failed before its result arrived has no rows to tell of.
  if (c.rows !== undefined && (c.state !== 'failed' || c.bytes))
    line += ` ${plural(c.rows, 'row')} ${formatBytes(c.bytes ?? 0)}`;
  if (c.affectedRows !== undefined) line += ` ${plural(c.affectedRows, 'row')} affected`;
  return line;
}

function describeConnection(c: ConnectionContext, error?: unknown): string {
  const calls = c.activeCalls ? ` (${c.activeCalls} calls cancelled)` : '';
  return `${c.kind} ${c.server}${calls}${error === undefined ? '' : failure(c)}`;
}

function describeWrite(c: WriteContext): string {
  const db = c.database === undefined ? '' : ` db=${c.database}`;
  const status = c.status === undefined ? '' : ` status ${c.status}`;
  const retry = c.attempt > 0 ? ` retry ${c.attempt}` : '';
  return `write ${c.url}${db} ${plural(c.points, 'point')} ${formatBytes(c.bytes)}${status}${retry}`;
}

function failure(c: { error?: unknown }): string {
  if (c.error === undefined) return '';
  const e = c.error as { name?: unknown; message?: unknown };
  const text = typeof e.message === 'string' ? `${String(e.name ?? 'Error')}: ${e.message}` : String(c.error);
  return ` failed: ${shorten(text, 200)}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function shorten(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KB'] : [bytes / (1024 * 1024), 'MB'];
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}`;
}
