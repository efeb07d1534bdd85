/**
 * The pool's logic with an injected `create` (connections over a fake client, no server): max,
 * the FIFO queue, acquire timeouts and aborts, idle reaping, validation, release rules, end().
 */
import { status as Status } from '@grpc/grpc-js';
import fc from 'fast-check';
import {
  AbortError,
  Connection,
  InterfaceError,
  OperationalError,
  ProgrammingError,
  createPool,
  type FlightSQLClient,
  type Pool,
  type PoolConnection,
  type PoolOptions,
} from '../../../src';

/** Connections made by a fake `create`, each over a client that only counts closes. */
class Factory {
  readonly opened: Connection[] = [];
  readonly closed: Connection[] = [];
  /** When set, the next `create` calls fail with it. */
  failure: Error | undefined;

  readonly create = async (): Promise<Connection> => {
    await Promise.resolve();
    if (this.failure) throw this.failure;
    const client = {
      close: async () => {
        this.closed.push(connection);
      },
    } as unknown as FlightSQLClient;
    const connection = new Connection(client, { transactions: false, savepoints: false });
    this.opened.push(connection);
    return connection;
  };

  /** Connections open now. */
  get open(): number {
    return this.opened.length - this.closed.length;
  }
}

let factory: Factory;
const pools: Pool[] = [];

function pool(options: PoolOptions = {}): Pool {
  const p = createPool({ create: factory.create, validate: false, ...options });
  pools.push(p);
  return p;
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A promise's state without waiting for it. */
function watch<T>(promise: Promise<T>): { value?: T; error?: unknown; done: boolean } {
  const state: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => Object.assign(state, { value, done: true }),
    (error: unknown) => Object.assign(state, { error, done: true }),
  );
  return state;
}

beforeEach(() => {
  factory = new Factory();
});
afterEach(async () => {
  jest.useRealTimers();
  await Promise.all(pools.splice(0).map((p) => p.end({ timeoutMs: 0 })));
});

test('opens connections on demand up to max, reuses released ones, and counts them', async () => {
  const p = pool({ max: 2 });
  expect([p.totalCount, p.idleCount, p.waitingCount]).toEqual([0, 0, 0]);
  const a = await p.connect();
  const b = await p.connect();
  expect(factory.opened).toHaveLength(2);
  const c = watch(p.connect());
  await settle();
  expect(c.done).toBe(false);
  expect([p.totalCount, p.idleCount, p.waitingCount]).toEqual([2, 0, 1]);
  await a.release();
  await settle();
  expect(c.value).toBeInstanceOf(Connection);
  // The same underlying client, a new checkout object.
  expect(c.value!.client).toBe(a.client);
  expect(c.value).not.toBe(a);
  await b.release();
  await c.value!.release();
  expect([p.totalCount, p.idleCount, p.waitingCount]).toEqual([2, 2, 0]);
  expect(factory.opened).toHaveLength(2);
});

test('waiting checkouts are served first come, first served', async () => {
  const p = pool({ max: 1 });
  const held = await p.connect();
  const order: number[] = [];
  const waits = [0, 1, 2, 3].map((i) =>
    p.connect().then(async (c) => {
      order.push(i);
      await settle();
      await c.release();
    }),
  );
  await settle();
  expect(p.waitingCount).toBe(4);
  await held.release();
  await Promise.all(waits);
  expect(order).toEqual([0, 1, 2, 3]);
  expect(factory.opened).toHaveLength(1);
});

test('property: never more than max open, grants in request order, every request served', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.oneof(fc.constant<'get'>('get'), fc.nat(7)), { maxLength: 40 }),
      async (max, steps) => {
        factory = new Factory();
        const p = createPool({ create: factory.create, validate: false, max });
        const granted: number[] = [];
        const held: PoolConnection[] = [];
        let requested = 0;
        let released = 0;
        for (const step of steps) {
          if (step === 'get') {
            const n = requested++;
            void p.connect().then((c) => {
              granted.push(n);
              held.push(c);
            });
          } else if (held.length > 0) {
            await held.splice(step % held.length, 1)[0]!.release();
            released++;
          }
          await settle();
          expect(factory.open).toBeLessThanOrEqual(max);
          expect(p.totalCount).toBeLessThanOrEqual(max);
          const outstanding = requested - released;
          expect([held.length, p.waitingCount]).toEqual([
            Math.min(outstanding, max),
            Math.max(0, outstanding - max),
          ]);
        }
        while (held.length > 0) {
          await held.pop()!.release();
          await settle();
        }
        expect(granted).toEqual([...Array(requested).keys()]);
        await p.end();
        expect(factory.open).toBe(0);
      },
    ),
    { numRuns: 60 },
  );
});

test('acquireTimeoutMillis: a clear OperationalError, and the abandoned wait takes nothing later', async () => {
  const p = pool({ max: 1, acquireTimeoutMillis: 30 });
  const held = await p.connect();
  const err = await p.connect().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OperationalError);
  expect((err as Error).message).toBe(
    'no connection became free within 30 ms: 1 of max 1 checked out, ' +
      '0 other checkouts waiting; release connections sooner, or raise max or acquireTimeoutMillis',
  );
  expect(p.waitingCount).toBe(0);
  // A wait of its own per checkout.
  const own = await p.connect({ timeoutMs: 10 }).catch((e: unknown) => e);
  expect((own as Error).message).toMatch(/^no connection became free within 10 ms: /);
  await held.release();
  expect([p.totalCount, p.idleCount]).toEqual([1, 1]);
});

test('an AbortSignal abandons the wait with an AbortError; an aborted one fails at once', async () => {
  const p = pool({ max: 1 });
  const held = await p.connect();
  const controller = new AbortController();
  const waiting = p.connect({ signal: controller.signal }).catch((e: unknown) => e);
  await settle();
  expect(p.waitingCount).toBe(1);
  controller.abort(new Error('user left'));
  const err = await waiting;
  expect(err).toBeInstanceOf(AbortError);
  expect(err).toBeInstanceOf(OperationalError);
  expect((err as Error).message).toMatch(/waiting for a pooled connection: aborted \(user left\)/);
  expect(p.waitingCount).toBe(0);
  await expect(p.connect({ signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  await held.release();
  expect(p.idleCount).toBe(1);
});

test('idle connections above min close after idleTimeoutMillis; min stay', async () => {
  jest.useFakeTimers();
  const p = pool({ max: 3, min: 1, idleTimeoutMillis: 1000 });
  await jest.advanceTimersByTimeAsync(0);
  expect(p.totalCount).toBe(1); // min opened at once
  const leases = await Promise.all([p.connect(), p.connect(), p.connect()]);
  expect(factory.opened).toHaveLength(3);
  for (const lease of leases) await lease.release();
  expect(p.idleCount).toBe(3);
  await jest.advanceTimersByTimeAsync(999);
  expect(p.totalCount).toBe(3);
  await jest.advanceTimersByTimeAsync(1);
  expect([p.totalCount, p.idleCount, factory.closed.length]).toEqual([1, 1, 2]);
  await jest.advanceTimersByTimeAsync(5000);
  expect(p.totalCount).toBe(1);
});

test('release twice is an InterfaceError; a released checkout is dead; close() and await using release', async () => {
  const p = pool({ max: 1 });
  const lease = await p.connect();
  await lease.release();
  expect(() => lease.release()).toThrow(InterfaceError);
  expect(() => lease.release()).toThrow('release(): this connection was already released to the pool');
  expect(lease.closed).toBe(true);
  expect(() => lease.cursor()).toThrow(InterfaceError);
  await expect(lease.commit()).rejects.toBeInstanceOf(InterfaceError);
  await lease.close(); // a no-op after release
  {
    await using scoped = await p.connect();
    expect(scoped.closed).toBe(false);
    expect(p.idleCount).toBe(0);
  }
  expect(p.idleCount).toBe(1);
  const closing = await p.connect();
  await closing.close();
  await closing.close();
  expect([p.totalCount, p.idleCount]).toEqual([1, 1]);
  expect(factory.closed).toHaveLength(0); // releasing never closed the client
});

test('release(true), or an error that means a broken link, closes the connection; a statement error does not', async () => {
  const p = pool({ max: 1 });
  const first = await p.connect();
  await first.release(new ProgrammingError('syntax error'));
  expect([p.totalCount, factory.closed.length]).toEqual([1, 0]);
  const second = await p.connect();
  expect(second.client).toBe(first.client);
  await second.release(new OperationalError('gone [UNAVAILABLE]', { grpcCode: Status.UNAVAILABLE }));
  expect([p.totalCount, factory.closed.length]).toEqual([0, 1]);
  const third = await p.connect();
  expect(third.client).not.toBe(first.client);
  await third.release(true);
  expect(factory.closed).toHaveLength(2);
  const fourth = await p.connect();
  await fourth.release(new AbortError('aborted', { grpcCode: Status.CANCELLED }));
  expect(factory.closed).toHaveLength(2); // the caller's own abort says nothing about the link
});

test('validation: after a suspect failure or a long idle; a dead connection is replaced', async () => {
  jest.useFakeTimers();
  const verdicts: boolean[] = [];
  const validate = jest.fn(async () => verdicts.shift() ?? true);
  const p = pool({ max: 1, validate, validateAfterIdleMillis: 500, idleTimeoutMillis: 0 });
  const a = await p.connect();
  await a.release();
  await (await p.connect()).release(); // idle 0 ms: no check
  expect(validate).toHaveBeenCalledTimes(0);
  const b = await p.connect();
  await b.release(
    new OperationalError('deadline [DEADLINE_EXCEEDED]', { grpcCode: Status.DEADLINE_EXCEEDED }),
  );
  verdicts.push(true);
  const c = await p.connect(); // suspect: checked, alive, reused
  expect(validate).toHaveBeenCalledTimes(1);
  expect(c.client).toBe(a.client);
  await c.release();
  await jest.advanceTimersByTimeAsync(500);
  verdicts.push(false);
  const d = await p.connect(); // idle 500 ms: checked, dead, replaced
  expect(validate).toHaveBeenCalledTimes(2);
  expect(validate.mock.calls[1]).toEqual([expect.any(Connection), { timeoutMs: 5000 }]);
  expect(d.client).not.toBe(a.client);
  expect(factory.closed).toHaveLength(1);
  await d.release();
});

test('maxUses: a connection is closed after that many checkouts', async () => {
  const p = pool({ max: 1, maxUses: 2 });
  const clients = [];
  for (let i = 0; i < 5; i++) {
    const lease = await p.connect();
    clients.push(lease.client);
    await lease.release();
  }
  expect(new Set(clients).size).toBe(3);
  expect(factory.opened).toHaveLength(3);
  expect(factory.closed).toHaveLength(2);
});

test('a failed open fails the longest-waiting checkout, never hangs the others', async () => {
  const p = pool({ max: 2 });
  factory.failure = new OperationalError('cannot connect [UNAVAILABLE]', { grpcCode: Status.UNAVAILABLE });
  const results = await Promise.allSettled([p.connect(), p.connect(), p.connect()]);
  expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
  for (const r of results) expect((r as PromiseRejectedResult).reason).toBe(factory.failure);
  expect([p.totalCount, p.waitingCount]).toEqual([0, 0]);
  factory.failure = undefined;
  const lease = await p.connect();
  expect(p.totalCount).toBe(1);
  await lease.release();
});

test("a background failure (keeping min) goes to 'error' listeners only, never unhandled", async () => {
  factory.failure = new OperationalError('cannot connect [UNAVAILABLE]', { grpcCode: Status.UNAVAILABLE });
  pool({ min: 2 }); // no listener: an 'error' event would throw out of the pool and crash
  await settle();
  const errors: Error[] = [];
  const p = pool({ min: 1 });
  p.on('error', (err) => errors.push(err));
  await settle();
  expect(errors).toEqual([factory.failure]);
  expect(p.totalCount).toBe(0);
});

test("events: 'connect', 'acquire', 'release', 'remove'", async () => {
  const p = pool({ max: 1 });
  const seen: string[] = [];
  for (const name of ['connect', 'acquire', 'release', 'remove'] as const) p.on(name, () => seen.push(name));
  const lease = await p.connect();
  await lease.release(true);
  expect(seen).toEqual(['connect', 'acquire', 'release', 'remove']);
});

test('end(): waiters fail, idle ones close, checked-out ones close when released, then every use fails', async () => {
  const full = pool({ max: 1 });
  const taken = await full.connect();
  const waiting = full.connect().catch((e: unknown) => e);
  await settle();
  const fullEnded = full.end();
  expect(await waiting).toEqual(new InterfaceError('the pool was ended before a connection became free'));
  await taken.release();
  await fullEnded;

  factory = new Factory();
  const p = pool({ max: 2 });
  const idle = await p.connect();
  const held = await p.connect();
  await idle.release();
  const ended = watch(p.end());
  await settle();
  expect(factory.closed.map((c) => c.client)).toEqual([idle.client]);
  expect([ended.done, p.ending, p.ended]).toEqual([false, true, false]);
  await held.release();
  await settle();
  expect([ended.done, p.ended, p.totalCount, factory.open]).toEqual([true, true, 0, 0]);
  await expect(p.connect()).rejects.toThrow(new InterfaceError('Pool is closed'));
  await expect(p.query('SELECT 1')).rejects.toBeInstanceOf(InterfaceError);
  await p.end(); // the same, finished
});

test('end() closes connections still checked out after its timeout; their late release is a no-op', async () => {
  const p = pool({ max: 1 });
  const held = await p.connect();
  await p.end({ timeoutMs: 20 });
  expect([p.ended, factory.open]).toEqual([true, 0]);
  expect(held.closed).toBe(true);
  expect(() => held.cursor()).toThrow(InterfaceError);
  await held.release();
});

test('await using ends the pool', async () => {
  let outer: Pool | undefined;
  {
    await using p = createPool({ create: factory.create, validate: false });
    outer = p;
    await (await p.connect()).release();
  }
  expect([outer.ended, factory.open]).toEqual([true, 0]);
});

test.each([
  [{ max: 0 }, 'max must be a whole number >= 1, not 0'],
  [{ max: 2, min: 3 }, 'min must be a whole number from 0 to max (2), not 3'],
  [{ maxUses: 0 }, 'maxUses must be a whole number >= 1, not 0'],
  [
    { idleTimeoutMillis: -1 },
    'idleTimeoutMillis must be a number of milliseconds from 0 to 2^31 - 1, not -1',
  ],
  [
    { acquireTimeoutMillis: NaN },
    'acquireTimeoutMillis must be a number of milliseconds from 0 to 2^31 - 1, not NaN',
  ],
])('bad settings are ProgrammingErrors: %p', (options, message) => {
  expect(() => createPool(options)).toThrow(new ProgrammingError(message));
});
