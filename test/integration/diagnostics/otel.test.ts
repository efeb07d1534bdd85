/**
 * The documented OpenTelemetry example (docs/examples/opentelemetry.ts, run as printed in
 * docs/tracing.md) against the embedded server, with the SDK's in-memory exporter.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { ProgrammingError } from '../../../src';
import { connect } from '../../../src/dbapi';
import { traceWrite } from '../../../src/diagnostics';
import { traceFlightSQL } from '../../../docs/examples/opentelemetry';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { useServer } from '../fixture';

describe('OpenTelemetry spans from the documented example', () => {
  const fx = useServer();
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let stop: () => void;
  beforeEach(() => {
    exporter.reset();
    stop = traceFlightSQL(provider.getTracer('flightsql-test'));
  });
  afterEach(() => stop());
  afterAll(() => provider.shutdown());

  const spans = () => exporter.getFinishedSpans();
  const port = () => Number(new URL(fx.client.flight.location.replace('grpc+tcp:', 'http:')).port);

  test('a query through a cursor: one ended CLIENT span with the semantic attributes', async () => {
    const conn = await connect({ host: fx.server.location, metadata: { database: 'main' } });
    try {
      const cursor = conn.cursor();
      exporter.reset();
      await cursor.execute('SELECT range AS i FROM range(2500)');
      expect(await cursor.fetchall()).toHaveLength(2500);
    } finally {
      await conn.close();
    }
    const [span, ...others] = spans();
    expect(others).toEqual([]);
    expect(span!.name).toBe('flightsql.query');
    expect(span!.kind).toBe(SpanKind.CLIENT);
    expect(span!.ended).toBe(true);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(span!.attributes).toEqual({
      'db.system.name': 'flightsql',
      'db.operation.name': 'CommandStatementQuery',
      'db.query.text': 'SELECT range AS i FROM range(2500)',
      'db.namespace': 'main',
      'server.address': '127.0.0.1',
      'server.port': port(),
      'db.response.returned_rows': 2500,
      'flightsql.response.bytes': expect.any(Number),
    });
    expect(span!.attributes['flightsql.response.bytes']).toBeGreaterThan(2500 * 8);
  });

  test('update, prepare and metadata spans; a failure sets the status and records the exception', async () => {
    await fx.client.executeUpdate('CREATE TABLE otel (x INTEGER)');
    const insert = await fx.client.prepare('INSERT INTO otel VALUES (?)');
    await insert.executeUpdate([[1], [2]]);
    await insert.close();
    const tables = await fx.client.getTables();
    const err = await fx.client.execute('SELECT * FROM no_such_table').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProgrammingError);

    const summary = spans().map((s: ReadableSpan) => [
      s.name,
      s.attributes['db.operation.name'],
      s.attributes['flightsql.affected_rows'],
      s.status.code,
      s.ended,
    ]);
    expect(summary).toEqual([
      ['flightsql.update', 'CommandStatementUpdate', 0, SpanStatusCode.UNSET, true],
      ['flightsql.prepare', 'CreatePreparedStatement', undefined, SpanStatusCode.UNSET, true],
      ['flightsql.update', 'CommandPreparedStatementUpdate', 2, SpanStatusCode.UNSET, true],
      ['flightsql.metadata', 'CommandGetTables', undefined, SpanStatusCode.UNSET, true],
      ['flightsql.query', 'CommandStatementQuery', undefined, SpanStatusCode.ERROR, true],
    ]);
    const failed = spans()[4]!;
    expect(failed.status.message).toBe((err as Error).message);
    expect(failed.attributes['error.type']).toBe('ProgrammingError');
    expect(failed.events.map((e) => [e.name, e.attributes?.['exception.message']])).toEqual([
      ['exception', (err as Error).message],
    ]);
    expect(spans()[3]!.attributes['db.response.returned_rows']).toBe(tables.length);
  });

  test('an HTTP write batch (as the influx writer publishes it): a span with status and resend count', async () => {
    const context = {
      url: 'http://127.0.0.1:8181/api/v2/write',
      database: 'db',
      points: 3,
      bytes: 120,
      attempt: 1,
    };
    await traceWrite({ ...context }, async () => 'ok');
    await traceWrite(context, async () => {
      Object.assign(context, { status: 204 });
      return 'ok';
    });
    await expect(
      traceWrite({ ...context, attempt: 2 }, async () => {
        throw new ProgrammingError('400 bad line');
      }),
    ).rejects.toThrow('400 bad line');
    expect(spans().map((s) => [s.name, s.attributes, s.status.code])).toEqual([
      [
        'flightsql.write',
        {
          'http.request.method': 'POST',
          'url.full': context.url,
          'http.request.body.size': 120,
          'http.request.resend_count': 1,
          'flightsql.points': 3,
          'db.namespace': 'db',
        },
        SpanStatusCode.UNSET,
      ],
      [
        'flightsql.write',
        expect.objectContaining({ 'http.response.status_code': 204, 'http.request.resend_count': 1 }),
        SpanStatusCode.UNSET,
      ],
      [
        'flightsql.write',
        expect.objectContaining({ 'http.request.resend_count': 2, 'error.type': 'ProgrammingError' }),
        SpanStatusCode.ERROR,
      ],
    ]);
  });

  test('after stop(), no more spans', async () => {
    stop();
    await fx.client.getCatalogs();
    expect(spans()).toEqual([]);
    stop = () => undefined;
  });

  test('docs/tracing.md prints the examples exactly as these tests run them', () => {
    const docs = path.resolve(__dirname, '../../../docs');
    const page = readFileSync(path.join(docs, 'tracing.md'), 'utf8');
    for (const example of ['opentelemetry.ts', 'consoleLog.ts']) {
      const code = readFileSync(path.join(docs, 'examples', example), 'utf8').trimEnd();
      expect(page).toContain('```ts\n' + code + '\n```');
    }
  });
});
