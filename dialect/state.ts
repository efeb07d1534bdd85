/**
 * What the dialect learns about its server, kept where every client Knex derives from one can
 * see it. Knex copies `config` for some of them (`withUserParams`, and so the migrator's clone),
 * but hands the client's `driver` on by reference to all of them (withUserParams merges the
 * client, and lodash's merge assigns class instances as they are; transaction clients copy the
 * field; `Object.create(client)` inherits it). So the state is the driver object itself.
 */
import { connect } from 'flightsql';
import type { Knex } from 'knex';
import { PROFILES, type EngineProfile, type ProfileName, type ServerFacts } from './profiles';

/**
 * The dialect's driver (`knex.client.driver`): flightsql's `connect`, and what the dialect
 * learnt about the server, shared by the clients Knex derives from the one that made it.
 */
export class FlightSQLDriver {
  /** flightsql's connect(). */
  readonly connect = connect;
  /** The server's facts, once the first connection has read them. */
  facts?: ServerFacts;
  /** Set when `parameters: 'auto'` found the server unable to bind parameters. */
  inlineFallback = false;
  /** Warnings already logged. */
  readonly warned = new Set<string>();
  /**
   * Whether an address speaks TLS, by `host:port`, for connection strings whose scheme Knex
   * dropped (connection.ts).
   */
  readonly transports = new Map<string, Promise<boolean>>();
}

/** The dialect state of `client`: its driver's (a client without one gets one now). */
export function stateOf(client: Knex.Client): FlightSQLDriver {
  const holder = client as unknown as { driver?: unknown };
  if (holder.driver instanceof FlightSQLDriver) return holder.driver;
  // Only a client compiling without a connection has no driver; what it learns is its own.
  const driver = new FlightSQLDriver();
  holder.driver = driver;
  return driver;
}

/** The profile to compile for: the server's, once connected; else the config's; else generic. */
export function profileOf(client: Knex.Client): EngineProfile {
  const facts = stateOf(client).facts;
  if (facts) return facts.profile;
  const configured = (client.config as { profile?: ProfileName }).profile;
  return PROFILES[configured ?? 'generic'];
}
