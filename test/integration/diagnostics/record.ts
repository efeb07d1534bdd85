/**
 * Records what flightsql publishes on its diagnostics channels: every event, with a copy of its
 * context as it was at that moment, and the context object itself (one per traced call).
 */
import diagnosticsChannel from 'node:diagnostics_channel';

export const EVENTS = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const;
export type EventName = (typeof EVENTS)[number];

export interface Recorded {
  readonly channel: string;
  readonly event: EventName;
  /** The context's own fields when the event was published. */
  readonly snapshot: Record<string, unknown>;
  /** The context object (the same object for every event of one call). */
  readonly context: Record<string, unknown>;
}

export interface Recorder {
  readonly events: Recorded[];
  /** The calls traced on `channel`: each with its context and its event names, in order. */
  calls(channel: string): { context: Record<string, unknown>; events: EventName[] }[];
  clear(): void;
  stop(): void;
}

/** Subscribes to the channels (default: all three) until `stop()`. */
export function record(
  channels: readonly string[] = ['flightsql:query', 'flightsql:connection', 'flightsql:write'],
): Recorder {
  const events: Recorded[] = [];
  const subscriptions = channels.map((name) => {
    const channel = diagnosticsChannel.tracingChannel<unknown, Record<string, unknown>>(name);
    const handler = (event: EventName) => (context: Record<string, unknown>) =>
      events.push({ channel: name, event, snapshot: { ...context }, context });
    const handlers = {
      start: handler('start'),
      end: handler('end'),
      asyncStart: handler('asyncStart'),
      asyncEnd: handler('asyncEnd'),
      error: handler('error'),
    };
    channel.subscribe(handlers);
    return () => channel.unsubscribe(handlers);
  });
  return {
    events,
    calls(channel) {
      const byContext = new Map<object, { context: Record<string, unknown>; events: EventName[] }>();
      for (const e of events) {
        if (e.channel !== channel) continue;
        let call = byContext.get(e.context);
        if (!call) byContext.set(e.context, (call = { context: e.context, events: [] }));
        call.events.push(e.event);
      }
      return [...byContext.values()];
    },
    clear: () => void events.splice(0),
    stop: () => subscriptions.forEach((unsubscribe) => unsubscribe()),
  };
}

/** Every published context as JSON, errors with their message, stack and cause. */
export function serialize(contexts: readonly object[]): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(contexts, (_key, value: unknown) => {
    if (value instanceof Error) {
      return { ...value, name: value.name, message: value.message, stack: value.stack, cause: value.cause };
    }
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[seen]';
      seen.add(value);
    }
    return value;
  });
}

/** The full lifecycle of a promise-style trace. */
export const COMPLETED: EventName[] = ['start', 'end', 'asyncStart', 'asyncEnd'];
/** The lifecycle of a failed promise-style trace. */
export const FAILED: EventName[] = ['start', 'end', 'error', 'asyncStart', 'asyncEnd'];
