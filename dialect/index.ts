/**
 * flightsql/dialect: the Knex dialect for Flight SQL servers, and reflection from Flight SQL
 * metadata.
 *
 * ```ts
 * import knex from 'knex';
 * import FlightSQLDialect from 'flightsql/dialect';
 * const db = knex({ client: FlightSQLDialect, connection: 'grpc://127.0.0.1:31337' });
 * ```
 *
 * @module flightsql/dialect
 */
import { FlightSQLDialect } from './FlightSQLDialect';

export {
  FlightSQLDialect,
  type BindingsMode,
  type FlightSQLDialectConfig,
  type FlightSQLResponse,
  type TransactionsMode,
} from './FlightSQLDialect';
export type { FlightSQLSession } from './session';
export {
  PROFILES,
  profileForServer,
  type EngineProfile,
  type ProfileName,
  type ServerFacts,
} from './profiles';
export {
  reflect,
  sqlTypeOf,
  type ReflectOptions,
  type ReflectedColumn,
  type ReflectedForeignKey,
  type ReflectedTable,
} from './reflection';
export { sqlLiteral, inlineBindings } from './literals';
export { connectOptionsOf, type ConnectionSetting } from './connection';
export default FlightSQLDialect;
