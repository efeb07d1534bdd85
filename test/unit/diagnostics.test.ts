/**
 * src/diagnostics.ts on its own: event order and contents of each kind of trace, the life of a
 * statement trace across its result streams, and the NODE_DEBUG line format.
 */
import fc from 'fast-check';
import {
  adoptTrace,
  queryChannel,
  subscribeDebugLog,
  traceConnect,
  traceConnection,
  traceDoGet,
  traceStatement,
  traceTicketQuery,
  traceWrite,
  writeChannel,
  type QueryContext,
  type StatementState,
  type TracedStream,
  type WriteContext,
} from '../../src/diagnostics';
import { record, type Recorder } from '../integration/diagnostics/record';

const COMPLETED = ['start', 'end', 'asyncStart', 'asyncEnd'];
const FAILED = ['start', 'end', 'error', 'asyncStart', 'asyncEnd'];

/** A stand-in for FlightStreamReader: counters and an end that the test triggers. */
class FakeStream implements TracedStream {
  rowsReceived = 0;
  bytesReceived = 0;
  #listeners: ((state: StatementState, error: unknown) => void)[] = [];
  onEnd(listener: (state: StatementState, error: unknown) => void): void {
    this.#listeners.push(listener);
  }
  receive(rows: number, bytes: number): void {
    this.rowsReceived += rows;
    this.bytesReceived += bytes;
  }
  end(state: StatementState, error?: unknown): void {
    for (const listener of this.#listeners) listener(state, error);
  }
}

const context = (kind: QueryContext['kind'] = 'query'): (() => QueryContext) => {
  return () => ({ kind, sql: 'SELECT 1', command: 'CommandStatementQuery', server: 'grpc+tcp://h:1' });
};
const ticket = () => ({ ticket: new Uint8Array([1]) });
const info = (n: number) => ({ endpoints: Array.from({ length: n }, () => ({ ticket: ticket() })) });

describe('diagnostics', () => {
  let rec: Recorder;
  beforeEach(() => (rec = record()));
  afterEach(() => rec.stop());
  const queries = () => rec.calls('flightsql:query');

  test('traceWrite: start, end, asyncStart, asyncEnd; the result is never published', async () => {
    const write: WriteContext = { url: 'http://h/write', points: 2, bytes: 40, attempt: 0 };
    expect(await traceWrite(write, async () => ({ secret: 'response' }))).toEqual({ secret: 'response' });
    expect(rec.calls('flightsql:write')).toEqual([{ context: write, events: COMPLETED }]);
    expect(write).toEqual({ url: 'http://h/write', points: 2, bytes: 40, attempt: 0 });
  });

  test('traceWrite: a rejection publishes error with the error, then asyncStart and asyncEnd', async () => {
    const failure = new Error('503');
    const write: WriteContext = { url: 'http://h/write', points: 1, bytes: 9, attempt: 3 };
    await expect(traceWrite(write, () => Promise.reject(failure))).rejects.toBe(failure);
    expect(rec.calls('flightsql:write')).toEqual([{ context: { ...write, error: failure }, events: FAILED }]);
    // A function that throws before returning a promise is traced the same way.
    rec.clear();
    const sync = { ...write };
    await expect(
      traceWrite(sync, () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(rec.calls('flightsql:write').map((c) => c.events)).toEqual([FAILED]);
  });

  test('without subscribers the functions run as they are and nothing is built', async () => {
    rec.stop();
    expect(queryChannel.hasSubscribers || writeChannel.hasSubscribers).toBe(false);
    const built = jest.fn(context());
    const seen: unknown[] = [];
    expect(await traceStatement(built, async (trace) => (seen.push(trace), 7))).toBe(7);
    expect(seen).toEqual([undefined]);
    expect(built).not.toHaveBeenCalled();
    const write = { url: 'u', points: 1, bytes: 1, attempt: 0 };
    expect(await traceWrite(write, async () => 'ok')).toBe('ok');
    expect(
      traceConnect(
        () => ({ kind: 'connect', server: 's', tls: false }),
        () => 5,
      ),
    ).toBe(5);
    expect(await traceConnection(jest.fn(), async () => 6)).toBe(6);
  });

  test('connect is synchronous: start and end, and an error event when it throws', () => {
    const ok = traceConnect(
      () => ({ kind: 'connect', server: 'grpc+tcp://h:1', tls: false }),
      () => 'client',
    );
    expect(ok).toBe('client');
    const boom = new Error('bad address');
    expect(() =>
      traceConnect(
        () => ({ kind: 'connect', server: 'grpc+tcp://h:1', tls: true }),
        () => {
          throw boom;
        },
      ),
    ).toThrow(boom);
    expect(rec.calls('flightsql:connection')).toEqual([
      { context: { kind: 'connect', server: 'grpc+tcp://h:1', tls: false }, events: ['start', 'end'] },
      {
        context: { kind: 'connect', server: 'grpc+tcp://h:1', tls: true, error: boom },
        events: ['start', 'error', 'end'],
      },
    ]);
  });

  test('a statement that returns no result ends when its call settles, with what onResult records', async () => {
    expect(
      await traceStatement(
        context('update'),
        async () => 3,
        (c, n) => (c.affectedRows = n),
      ),
    ).toBe(3);
    expect(queries()).toEqual([
      {
        context: { ...context('update')(), affectedRows: 3, state: 'done' },
        events: COMPLETED,
      },
    ]);
  });

  test('a query waits for the DoGets of its endpoints, counts their rows and bytes, ends with the last', async () => {
    const result = info(2);
    await traceStatement(context(), async (trace) => (trace!.expectInfo(result), result));
    expect(queries()[0]!.events).toEqual(['start', 'end']);
    const [a, b] = [new FakeStream(), new FakeStream()];
    await traceDoGet(result.endpoints[0]!.ticket, Promise.resolve(a));
    await traceDoGet(result.endpoints[1]!.ticket, Promise.resolve(b));
    a.receive(10, 100);
    b.receive(5, 50);
    a.end('done');
    expect(queries()[0]!.events).toEqual(['start', 'end']);
    b.receive(1, 7);
    b.end('done');
    expect(queries()).toEqual([
      { context: { ...context()(), rows: 16, bytes: 157, state: 'done' }, events: COMPLETED },
    ]);
    // Once ended, its tickets are no longer followed.
    const late = new FakeStream();
    expect(await traceDoGet(result.endpoints[0]!.ticket, Promise.resolve(late))).toBe(late);
    late.end('failed', new Error('x'));
    expect(queries()[0]!.events).toEqual(COMPLETED);
  });

  test('one stream cancelled on purpose ends the query as cancelled, without an error', async () => {
    const result = info(3);
    await traceStatement(context(), async (trace) => (trace!.expectInfo(result), result));
    const stream = new FakeStream();
    await traceDoGet(result.endpoints[1]!.ticket, Promise.resolve(stream));
    stream.receive(4, 40);
    stream.end('cancelled', new Error('cancelled by the client'));
    expect(queries()).toEqual([
      { context: { ...context()(), rows: 4, bytes: 40, state: 'cancelled' }, events: COMPLETED },
    ]);
  });

  test('an abort ends it as cancelled with the AbortError; a failed stream or DoGet as failed', async () => {
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    const failure = new Error('INTERNAL');
    for (const [how, expected] of [
      ['abort', { state: 'cancelled', error: abort }],
      ['stream', { state: 'failed', error: failure }],
      ['doGet', { state: 'failed', error: failure }],
    ] as const) {
      rec.clear();
      const result = info(1);
      await traceStatement(context(), async (trace) => (trace!.expectInfo(result), result));
      const opening = how === 'doGet' ? Promise.reject(failure) : Promise.resolve(new FakeStream());
      const stream = await traceDoGet(result.endpoints[0]!.ticket, opening).catch(() => undefined);
      if (how === 'abort') stream!.end('cancelled', abort);
      if (how === 'stream') stream!.end('failed', failure);
      expect(queries()).toEqual([
        { context: { ...context()(), rows: 0, bytes: 0, ...expected }, events: FAILED },
      ]);
    }
  });

  test('a reader that adopts the trace ends it itself; the streams only count', async () => {
    const result = info(2);
    await traceStatement(context(), async (trace) => (trace!.expectInfo(result), result));
    const trace = adoptTrace(result)!;
    expect(adoptTrace(result)).toBeUndefined(); // adopted once
    const stream = new FakeStream();
    await traceDoGet(result.endpoints[0]!.ticket, Promise.resolve(stream));
    stream.receive(8, 80);
    stream.end('failed', new Error('UNAVAILABLE')); // the reader fails over: not the statement's end
    expect(queries()[0]!.events).toEqual(['start', 'end']);
    trace.stop('the consumer stopped reading');
    trace.stop(new Error('later')); // once
    expect(queries()).toEqual([
      { context: { ...context()(), rows: 8, bytes: 80, state: 'cancelled' }, events: COMPLETED },
    ]);
  });

  test('a result without endpoints ends with its call; a failed call ends failed', async () => {
    await traceStatement(context(), async (trace) => (trace!.expectInfo(info(0)), info(0)));
    const failure = new Error('bad SQL');
    await expect(traceStatement(context(), () => Promise.reject(failure))).rejects.toBe(failure);
    expect(
      queries().map((c) => [c.events, c.context['state'], c.context['rows'], c.context['error']]),
    ).toEqual([
      [COMPLETED, 'done', 0, undefined],
      [FAILED, 'failed', 0, failure],
    ]);
  });

  test('traceTicketQuery follows the one DoGet it makes', async () => {
    const t = ticket();
    const stream = new FakeStream();
    const client = { location: 'grpc+tls://influx:443' };
    const opened = await traceTicketQuery('SELECT 1', client, 'db', t, () =>
      traceDoGet(t, Promise.resolve(stream)),
    );
    expect(opened).toBe(stream);
    stream.receive(1, 20);
    stream.end('done');
    expect(queries()).toEqual([
      {
        context: {
          kind: 'query',
          sql: 'SELECT 1',
          command: 'DoGet',
          server: 'grpc+tls://influx:443',
          database: 'db',
          rows: 1,
          bytes: 20,
          state: 'done',
        },
        events: COMPLETED,
      },
    ]);
  });
});

describe('subscribeDebugLog', () => {
  const lines: string[] = [];
  let stop: () => void;
  beforeEach(() => {
    lines.length = 0;
    stop = subscribeDebugLog((line) => lines.push(line));
  });
  afterEach(() => stop());
  const timeless = () => lines.map((line) => line.replace(/ \d+\.\d ms/, ' T ms'));

  test('one line per statement, connection event and write', async () => {
    const result = info(1);
    await traceStatement(context(), async (trace) => (trace!.expectInfo(result), result));
    const stream = new FakeStream();
    await traceDoGet(result.endpoints[0]!.ticket, Promise.resolve(stream));
    stream.receive(1000, 24 * 1024 + 300);
    stream.end('done');
    await traceStatement(
      context('update'),
      async () => 1,
      (c, n) => (c.affectedRows = n),
    );
    traceConnect(
      () => ({ kind: 'connect', server: 'grpc+tcp://h:1', tls: false }),
      () => undefined,
    );
    await traceConnection(
      () => ({ kind: 'close', server: 'grpc+tcp://h:1', tls: false, activeCalls: 2 }),
      async () => undefined,
    );
    const write: WriteContext = {
      url: 'http://h:8086/write',
      database: 'db',
      points: 5000,
      bytes: 3 << 20,
      attempt: 1,
    };
    await traceWrite(write, async () => (write.status = 204));
    await traceWrite({ ...write, attempt: 0, points: 1, bytes: 10, status: undefined }, () =>
      Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { name: 'OperationalError' })),
    ).catch(() => undefined);
    expect(timeless()).toEqual([
      'query grpc+tcp://h:1 "SELECT 1" 1000 rows 24 KB T ms',
      'update grpc+tcp://h:1 "SELECT 1" 1 row affected T ms',
      'connect grpc+tcp://h:1',
      'close grpc+tcp://h:1 (2 calls cancelled) T ms',
      'write http://h:8086/write db=db 5000 points 3.0 MB status 204 retry 1 T ms',
      'write http://h:8086/write db=db 1 point 10 B T ms failed: OperationalError: connect ECONNREFUSED',
    ]);
  });

  test('a cancelled query says how far it got; a failed one why', async () => {
    const result = info(1);
    await traceStatement(context(), async (trace) => (trace!.expectInfo(result), result));
    const stream = new FakeStream();
    await traceDoGet(result.endpoints[0]!.ticket, Promise.resolve(stream));
    stream.receive(10, 512);
    stream.end('cancelled');
    const failure = Object.assign(new Error('syntax error at or near "SELEC"'), { name: 'ProgrammingError' });
    await traceStatement(context(), () => Promise.reject(failure)).catch(() => undefined);
    expect(timeless()).toEqual([
      'query grpc+tcp://h:1 "SELECT 1" cancelled after 10 rows 512 B T ms',
      'query grpc+tcp://h:1 "SELECT 1" T ms failed: ProgrammingError: syntax error at or near "SELEC"',
    ]);
  });

  test('whatever the SQL, one short line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 500 }), async (sql) => {
        lines.length = 0;
        const make = (): QueryContext => ({
          kind: 'update',
          sql,
          command: 'CommandStatementUpdate',
          server: 's',
        });
        await traceStatement(
          make,
          async () => 0,
          (c, n) => (c.affectedRows = n),
        );
        expect(lines).toHaveLength(1);
        expect(lines[0]).not.toMatch(/[\n\r]/);
        expect(lines[0]!.length).toBeLessThan(200);
      }),
      { numRuns: 100 },
    );
  });
});
