/**
 * What the dialect learns about its server, shared by a Knex client and the transaction clients
 * Knex derives from it (they share the config object, not the client's own fields).
 */
import type { Knex } from 'knex';
import { PROFILES, type EngineProfile, type ProfileName, type ServerFacts } from './profiles';

/** Per-config state: the server's facts, once known, and the bindings fallback. */
export interface DialectState {
  facts?: ServerFacts;
  /** Set when `parameters: 'auto'` found the server unable to bind parameters. */
  inlineFallback?: boolean;
  /** Warnings already logged. */
  warned?: Set<string>;
}

const states = new WeakMap<object, DialectState>();

/** The state of `client` (keyed by its config, which Knex's transaction clients share). */
export function stateOf(client: Knex.Client): DialectState {
  const key = client.config as object;
  let state = states.get(key);
  if (!state) states.set(key, (state = {}));
  return state;
}

/** The profile to compile for: the server's, once connected; else the config's; else generic. */
export function profileOf(client: Knex.Client): EngineProfile {
  const facts = stateOf(client).facts;
  if (facts) return facts.profile;
  const configured = (client.config as { profile?: ProfileName }).profile;
  return PROFILES[configured ?? 'generic'];
}
