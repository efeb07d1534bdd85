/**
 * The client side of the hostile-server tests, in a process of its own, so that its memory is
 * the client's alone and an unhandled 'error' or rejection shows as it would in an app: the
 * probe listens for uncaughtException and unhandledRejection, reports them on stderr, and
 * exits with 1. Run by hostile.test.ts as `node --expose-gc --import tsx hostileProbe.ts
 * <scenario> <json config>`. It prints `RESULT <json>` as its last line.
 */
import knex from 'knex';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Outcome } from './probe';
import { FlightSQLDialect } from '../../../dialect';
import {
  connect,
  FlightClient,
  FlightSQLClient,
  type FlightSQLClientOptions,
  type FlightStreamReader,
} from '../../../src';

const [scenario = '', configText = '{}'] = process.argv.slice(2);
const config = JSON.parse(configText) as Record<string, unknown>;
const gc = (globalThis as { gc?: () => void }).gc;

process.on('uncaughtException', (err) => {
  process.stderr.write(`uncaughtException: ${err.stack ?? String(err)}\n`);
  process.exitCode = 1;
});
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`unhandledRejection: ${(reason as Error)?.stack ?? String(reason)}\n`);
  process.exitCode = 1;
});

/** Runs `fn`, sampling RSS every few milliseconds, and describes how it ended. */
async function attempt(step: string, fn: () => Promise<unknown>): Promise<Outcome> {
  gc?.();
  const base = process.memoryUsage.rss();
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  const started = performance.now();
  try {
    const value = await fn();
    return { step, ok: true, value, ...measure() };
  } catch (err) {
    const e = err as { name?: string; message?: string; grpcCode?: number };
    return { step, ok: false, errorName: e.name, message: e.message, grpcCode: e.grpcCode, ...measure() };
  } finally {
    clearInterval(sampler);
  }
  function measure() {
    peak = Math.max(peak, process.memoryUsage.rss());
    return { elapsedMs: Math.round(performance.now() - started), rssGrowthMb: (peak - base) / 2 ** 20 };
  }
}

const ticket = (text: string) => ({ ticket: Buffer.from(text) });
const str = (key: string) => String(config[key]);
const clientOptions = () => (config['options'] ?? {}) as Record<string, unknown>;

/** TLS options from the config: the CA file, read here (PEM text cannot travel in argv nicely). */
function withTls(options: Record<string, unknown>): FlightSQLClientOptions {
  const ca = config['caFile'] ? readFileSync(str('caFile'), 'utf8') : undefined;
  return { ...options, ...(ca ? { tls: { ca } } : {}) } as FlightSQLClientOptions;
}

const scenarios: Record<string, () => Promise<Outcome[]>> = {
  /** The server declares a 2 GB message (and sends 512 MiB) on a stream and on a unary call. */
  async sizeDeclared() {
    const client = new FlightClient(str('location'), clientOptions());
    const doGet = await attempt('DoGet', () => client.doGet(ticket('huge')));
    const info = await attempt('GetFlightInfo', () =>
      client.getFlightInfo({ type: 'cmd', cmd: Buffer.from('huge') }),
    );
    await client.close();
    return [doGet, info];
  },

  /** A real 2 MiB batch: refused under a 1 MiB limit, read with the default and with -1. */
  async sizeConfigured() {
    const read = async (options: Record<string, unknown>) => {
      const client = new FlightClient(str('location'), options);
      try {
        const table = await (await client.doGet(ticket('big'))).readAll();
        return table.numRows;
      } finally {
        await client.close();
      }
    };
    return [
      await attempt('1 MiB limit', () => read({ maxReceiveMessageBytes: 1024 * 1024 })),
      await attempt('default limit', () => read({})),
      await attempt('no limit (-1)', () => read({ maxReceiveMessageBytes: -1 })),
    ];
  },

  /** A query through one of the layers, with the credentials and options of the config. */
  async credentials() {
    const via = str('via');
    const options = withTls({ host: str('origin'), ...clientOptions() });
    const outcome = await attempt(via, async () => {
      if (via === 'client') {
        await using client = new FlightSQLClient(options);
        const info = await client.execute('SELECT 1');
        const table = await client.readFlightInfo(info).readAll();
        return table.numRows;
      }
      if (via === 'connect' || via === 'url') {
        await using connection = await connect(via === 'url' ? str('url') : options);
        const cursor = connection.cursor();
        await cursor.execute('SELECT 1');
        return (await cursor.fetchall()).length;
      }
      const db = knex({ client: FlightSQLDialect, connection: options, pool: { min: 0, max: 1 } });
      try {
        return (await db.select(db.raw('1 AS one'))).length;
      } finally {
        await db.destroy();
      }
    });
    return [outcome];
  },

  /**
   * An endless stream from a server process that the test stops (SIGSTOP) once we say
   * `streaming`; it then tells us `stopped` on stdin, and we time how long the client takes to fail.
   */
  async frozen() {
    let stoppedAt: number | undefined;
    process.stdin.on('data', (data) => {
      if (String(data).includes('stopped')) stoppedAt = performance.now();
    });
    const client = new FlightSQLClient({ host: str('location'), ...clientOptions() });
    let batches = 0;
    let afterStop = 0;
    const outcome = await attempt('frozen', async () => {
      const info = await client.execute(str('sql'));
      for await (const _batch of client.readFlightInfo(info)) {
        batches++;
        if (stoppedAt !== undefined) afterStop++;
        if (batches === 20) process.stdout.write('streaming\n');
        // Let stdin's message in even when batches are already buffered.
        if (batches % 8 === 0) await sleep(0);
      }
      return batches;
    });
    process.stdin.destroy();
    await client.close();
    const sinceStopMs = stoppedAt === undefined ? -1 : Math.round(performance.now() - stoppedAt);
    return [{ ...outcome, value: { batches, afterStop, sinceStopMs } }];
  },

  /** A healthy stream read for longer than the idle timeout many times over, with a slow pause. */
  async healthyIdle() {
    const client = new FlightSQLClient({ host: str('location'), idleTimeoutMs: 1000 });
    const outcome = await attempt('healthy', async () => {
      const info = await client.execute(str('sql'));
      const started = performance.now();
      let rows = 0;
      let paused = false;
      for await (const batch of client.readFlightInfo(info)) {
        rows += batch.numRows;
        // A consumer slower than the idle timeout is not an idle server.
        if (!paused && performance.now() - started > 500) {
          paused = true;
          await sleep(2000);
        }
        if (performance.now() - started > 3500) break;
      }
      return rows;
    });
    await client.close();
    return [outcome];
  },

  /** Every path that used to leave an 'error' event or a rejection without a handler. */
  async unhandled() {
    const location = str('location');
    const out: Outcome[] = [];
    const headers = (script: string) => ({ headers: { 'x-script': script } });

    // handshake() without arguments, then close().
    const bare = new FlightClient(location);
    out.push(await attempt('handshake()', () => (bare.handshake as () => Promise<unknown>)()));
    out.push(await attempt('close after handshake()', () => bare.close()));

    // A Handshake the server never answers, abandoned by its caller's signal; close() later.
    const frozenAuth = new FlightClient(location, {
      username: 'u',
      password: 'pw-frozen',
      headers: { 'x-script': 'freeze' },
    });
    out.push(
      await attempt('abandoned handshake', () =>
        frozenAuth.getFlightInfo(
          { type: 'cmd', cmd: Buffer.from('x') },
          { signal: AbortSignal.timeout(200) },
        ),
      ),
    );
    out.push(await attempt('close with a handshake in flight', () => frozenAuth.close()));

    // A Handshake the server refuses.
    const refused = new FlightClient(location, {
      username: 'u',
      password: 'pw-refused',
      headers: { 'x-script': 'unauthenticated' },
    });
    out.push(
      await attempt('failed handshake', () => refused.getFlightInfo({ type: 'cmd', cmd: Buffer.from('x') })),
    );
    await refused.close();

    // A stream, a read pending on it, and close() cancelling both.
    const closing = new FlightClient(location);
    const reader = await closing.doGet(ticket('stall'), headers('stall'));
    await reader.readChunk(); // the one batch; the server sends no more
    const pending = reader.readChunk();
    const unary = closing.getFlightInfo({ type: 'cmd', cmd: Buffer.from('x') }, headers('freeze'));
    await sleep(50);
    await closing.close();
    out.push(await attempt('read cancelled by close()', () => pending));
    out.push(await attempt('unary call cancelled by close()', () => unary));

    // A consumer that leaves a stream early, one that drops a reader, one that drops a generator.
    const client = new FlightClient(location);
    out.push(
      await attempt('consumer left the stream', async () => {
        for await (const _batch of await client.doGet(ticket('endless'), headers('endless'))) break;
      }),
    );
    out.push(
      await attempt('reader dropped', async () => {
        const dropped: FlightStreamReader = await client.doGet(ticket('endless'), headers('endless'));
        await dropped.readChunk();
      }),
    );
    out.push(
      await attempt('generator left early', async () => {
        for await (const _info of client.listFlights(new Uint8Array(0), headers('endless-list'))) break;
      }),
    );
    out.push(
      await attempt('handshake with a request that cannot be serialized', () =>
        client.handshake([{ protocolVersion: 'one', payload: 42 } as unknown as never]),
      ),
    );
    out.push(
      await attempt('generator dropped', async () => {
        const flights = client.listFlights(new Uint8Array(0), headers('endless-list'));
        await flights.next();
      }),
    );
    // Idle timeout and size limit, whose failures cancel the call from our side.
    out.push(
      await attempt('idle timeout', async () => {
        await (await client.doGet(ticket('stall'), { ...headers('stall'), idleTimeoutMs: 200 })).readAll();
      }),
    );
    out.push(await attempt('message too large', () => client.doGet(ticket('huge'), headers('huge'))));
    await sleep(100);
    await client.close();
    return out;
  },
};

async function main() {
  const run = scenarios[scenario];
  if (!run) throw new Error(`no scenario ${scenario}`);
  const started = performance.now();
  const outcomes = await run();
  // Late events (cancellations, trailers) arrive after the calls settled: let them come.
  await sleep(300);
  process.stdout.write(
    `RESULT ${JSON.stringify({ outcomes, totalMs: Math.round(performance.now() - started) })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`probe failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exitCode = 1;
});
