/**
 * What Knex holds as a connection: a session (a flightsql Connection and the cursors running on
 * it) in the pool, and a lease of it for each acquisition.
 */
import type { Connection, Cursor } from 'flightsql';

/** A Knex connection: a flightsql Connection and the cursors running on it. */
export interface FlightSQLSession {
  /** The session's flightsql Connection (rows as objects). */
  readonly connection: Connection<Record<string, unknown>>;
  /** Cursors running on the session, each with the controller that cancels its calls. */
  readonly active: Map<Cursor<Record<string, unknown>>, AbortController>;
  /** Set by Knex (or the dialect, on a lost connection) to evict the session from the pool. */
  __knex__disposed?: unknown;
}

export const SESSION = Symbol('flightsql.session');

/**
 * One acquisition of a session, as Knex holds it: Knex may release it twice (a stream's 'close'
 * and the end of its query, knex#6288), and only the first release counts, so that the second
 * never hands back a session someone else has acquired meanwhile.
 */
export interface Lease extends FlightSQLSession {
  readonly [SESSION]: FlightSQLSession;
  released?: boolean;
}

/** The pooled session behind what Knex passes around (a lease, or the session itself). */
export function sessionOf(connection: FlightSQLSession): FlightSQLSession {
  return (connection as Partial<Lease>)[SESSION] ?? connection;
}

/** A lease of `session`: an object of its own whose prototype is the session. */
export function leaseOf(session: FlightSQLSession): Lease {
  return Object.create(session, { [SESSION]: { value: session } }) as Lease;
}
