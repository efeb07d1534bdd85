/**
 * flightsql's diagnostics_channel events as console lines (docs/tracing.md): slow statements
 * and failures, with what each call received.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { ConnectionContext, QueryContext } from 'flightsql';

/** Logs every statement that fails or takes longer than `slowMs`, and every connect and close. */
export function logFlightSQL(slowMs = 0, log: (line: string) => void = console.log): () => void {
  const started = new WeakMap<object, number>();
  const ignore = () => {};

  const query = {
    start: (context: QueryContext) => started.set(context, performance.now()),
    end: ignore,
    asyncStart: ignore,
    error: ignore,
    asyncEnd(context: QueryContext) {
      const ms = performance.now() - (started.get(context) ?? performance.now());
      if (ms < slowMs && context.error === undefined) return;
      const what = context.sql ?? context.command;
      const result =
        context.error !== undefined
          ? `failed: ${String(context.error)}`
          : context.affectedRows !== undefined
            ? `${context.affectedRows} affected`
            : `${context.rows ?? 0} rows, ${context.bytes ?? 0} bytes, ${context.state}`;
      log(`[flightsql] ${context.kind} ${what} (${ms.toFixed(1)} ms): ${result}`);
    },
  };
  // Every connection event has an end (a connect is synchronous: it has no asyncEnd).
  const connection = {
    start: ignore,
    end: (context: ConnectionContext) => log(`[flightsql] ${context.kind} ${context.server}`),
    asyncStart: ignore,
    error: ignore,
    asyncEnd: ignore,
  };

  const queries = diagnosticsChannel.tracingChannel<unknown, QueryContext>('flightsql:query');
  const connections = diagnosticsChannel.tracingChannel<unknown, ConnectionContext>('flightsql:connection');
  queries.subscribe(query);
  connections.subscribe(connection);
  return () => {
    queries.unsubscribe(query);
    connections.unsubscribe(connection);
  };
}
