/**
 * flightsql's statements and HTTP writes as OpenTelemetry spans, from its diagnostics_channel
 * events (docs/tracing.md). Needs only @opentelemetry/api; the SDK you register exports them.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { QueryContext, WriteContext } from 'flightsql';

/** Starts turning flightsql's events into spans of `tracer`; returns a function that stops. */
export function traceFlightSQL(tracer: Tracer = trace.getTracer('flightsql')): () => void {
  // One span per traced call: the context object is the same in every event of one call.
  const spans = new WeakMap<object, Span>();

  const failed = (context: { error?: unknown }) => {
    const span = spans.get(context);
    const error = context.error instanceof Error ? context.error : new Error(String(context.error));
    span?.recordException(error);
    span?.setAttribute('error.type', error.name);
    span?.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  };
  const ended = (context: object, attributes: Record<string, number | undefined>) => {
    const span = spans.get(context);
    for (const [key, value] of Object.entries(attributes))
      if (value !== undefined) span?.setAttribute(key, value);
    span?.end();
    spans.delete(context);
  };
  const ignore = () => {};

  const query = {
    start(context: QueryContext) {
      const { hostname, port } = new URL(context.server.replace(/^[a-z+]+:/, 'http:'));
      const span = tracer.startSpan(`flightsql.${context.kind}`, {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'flightsql',
          'db.operation.name': context.command,
          ...(context.sql !== undefined && { 'db.query.text': context.sql }),
          ...(context.database !== undefined && { 'db.namespace': context.database }),
          ...(context.table !== undefined && { 'db.collection.name': context.table }),
          'server.address': hostname,
          'server.port': Number(port),
        },
      });
      spans.set(context, span);
    },
    end: ignore,
    asyncStart: ignore,
    error: failed,
    asyncEnd(context: QueryContext) {
      ended(context, {
        'db.response.returned_rows': context.rows,
        'flightsql.response.bytes': context.bytes,
        'flightsql.affected_rows': context.affectedRows,
      });
    },
  };

  const write = {
    start(context: WriteContext) {
      const span = tracer.startSpan('flightsql.write', {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': 'POST',
          'url.full': context.url,
          'http.request.body.size': context.bytes,
          'http.request.resend_count': context.attempt,
          'flightsql.points': context.points,
          ...(context.database !== undefined && { 'db.namespace': context.database }),
        },
      });
      spans.set(context, span);
    },
    end: ignore,
    asyncStart: ignore,
    error: failed,
    asyncEnd(context: WriteContext) {
      ended(context, { 'http.response.status_code': context.status });
    },
  };

  const queries = diagnosticsChannel.tracingChannel<unknown, QueryContext>('flightsql:query');
  const writes = diagnosticsChannel.tracingChannel<unknown, WriteContext>('flightsql:write');
  queries.subscribe(query);
  writes.subscribe(write);
  return () => {
    queries.unsubscribe(query);
    writes.unsubscribe(write);
  };
}
