/**
 * The single table of Flight SQL messages that travel `google.protobuf.Any`-packed (commands,
 * tickets, action bodies and results), keyed by their type URL (arrow-rs `Command`). The DoPut
 * results (DoPutUpdateResult, DoPutPreparedStatementResult) travel raw in `app_metadata`, so
 * they are not here. `packCommand` gives Any bytes; `unpackCommand` gives a
 * discriminated union that ends in `{ kind: 'unknown', typeUrl }`.
 */
import { Any } from '../proto/google/protobuf/any';
import * as sql from '../proto/FlightSql';

/** Prefix of every Flight SQL type URL. */
export const TYPE_URL_PREFIX = 'type.googleapis.com/arrow.flight.protocol.sql.';

const messages = {
  CommandStatementQuery: sql.CommandStatementQuery,
  CommandStatementSubstraitPlan: sql.CommandStatementSubstraitPlan,
  CommandStatementUpdate: sql.CommandStatementUpdate,
  CommandStatementIngest: sql.CommandStatementIngest,
  CommandPreparedStatementQuery: sql.CommandPreparedStatementQuery,
  CommandPreparedStatementUpdate: sql.CommandPreparedStatementUpdate,
  CommandGetCatalogs: sql.CommandGetCatalogs,
  CommandGetDbSchemas: sql.CommandGetDbSchemas,
  CommandGetTables: sql.CommandGetTables,
  CommandGetTableTypes: sql.CommandGetTableTypes,
  CommandGetPrimaryKeys: sql.CommandGetPrimaryKeys,
  CommandGetExportedKeys: sql.CommandGetExportedKeys,
  CommandGetImportedKeys: sql.CommandGetImportedKeys,
  CommandGetCrossReference: sql.CommandGetCrossReference,
  CommandGetSqlInfo: sql.CommandGetSqlInfo,
  CommandGetXdbcTypeInfo: sql.CommandGetXdbcTypeInfo,
  TicketStatementQuery: sql.TicketStatementQuery,
  ActionCreatePreparedStatementRequest: sql.ActionCreatePreparedStatementRequest,
  ActionCreatePreparedStatementResult: sql.ActionCreatePreparedStatementResult,
  ActionCreatePreparedSubstraitPlanRequest: sql.ActionCreatePreparedSubstraitPlanRequest,
  ActionClosePreparedStatementRequest: sql.ActionClosePreparedStatementRequest,
  ActionBeginTransactionRequest: sql.ActionBeginTransactionRequest,
  ActionBeginTransactionResult: sql.ActionBeginTransactionResult,
  ActionBeginSavepointRequest: sql.ActionBeginSavepointRequest,
  ActionBeginSavepointResult: sql.ActionBeginSavepointResult,
  ActionEndTransactionRequest: sql.ActionEndTransactionRequest,
  ActionEndSavepointRequest: sql.ActionEndSavepointRequest,
  ActionCancelQueryRequest: sql.ActionCancelQueryRequest,
  ActionCancelQueryResult: sql.ActionCancelQueryResult,
} as const;

/** The codecs of the Any-packed Flight SQL messages, by name. */
type Messages = typeof messages;
/** Name of a Flight SQL message that travels Any-packed. */
export type CommandKind = keyof Messages;
/** The decoded message type of `K`. */
export type CommandMessage<K extends CommandKind> = ReturnType<Messages[K]['decode']>;

/** An unpacked Any: a known Flight SQL message, or the type URL of an unknown one. */
export type Command =
  | {
      [K in CommandKind]: {
        /** The message's name, from its type URL. */
        readonly kind: K;
        /** The decoded message. */
        readonly message: CommandMessage<K>;
      };
    }[CommandKind]
  | {
      /** A type URL that is not a Flight SQL message. */
      readonly kind: 'unknown';
      /** The Any's type URL. */
      readonly typeUrl: string;
    };

const kindByUrl = new Map<string, CommandKind>(
  (Object.keys(messages) as CommandKind[]).map((kind) => [TYPE_URL_PREFIX + kind, kind]),
);

/** Packs a Flight SQL message into `google.protobuf.Any` bytes. */
export function packCommand<K extends CommandKind>(kind: K, message: Partial<CommandMessage<K>>): Uint8Array {
  const fns = messages[kind] as unknown as {
    fromPartial(m: unknown): unknown;
    encode(m: unknown): { finish(): Uint8Array };
  };
  const value = fns.encode(fns.fromPartial(message)).finish();
  return Any.encode({ typeUrl: TYPE_URL_PREFIX + kind, value: Buffer.from(value) }).finish();
}

/** Unpacks `google.protobuf.Any` bytes into a Flight SQL message (throws on undecodable bytes). */
export function unpackCommand(bytes: Uint8Array): Command {
  const any = Any.decode(bytes);
  const kind = kindByUrl.get(any.typeUrl);
  if (!kind) return { kind: 'unknown', typeUrl: any.typeUrl };
  const message = (messages[kind] as unknown as { decode(b: Uint8Array): unknown }).decode(any.value);
  return { kind, message } as Command;
}

/** Unpacks Any bytes and checks they hold `kind`; returns undefined otherwise. */
export function unpackAs<K extends CommandKind>(bytes: Uint8Array, kind: K): CommandMessage<K> | undefined {
  try {
    const command = unpackCommand(bytes);
    return command.kind === kind ? (command.message as CommandMessage<K>) : undefined;
  } catch {
    return undefined;
  }
}

/** The Flight SQL metadata commands (GetCatalogs ... GetXdbcTypeInfo). */
export type MetadataKind =
  | 'CommandGetCatalogs'
  | 'CommandGetDbSchemas'
  | 'CommandGetTables'
  | 'CommandGetTableTypes'
  | 'CommandGetPrimaryKeys'
  | 'CommandGetExportedKeys'
  | 'CommandGetImportedKeys'
  | 'CommandGetCrossReference'
  | 'CommandGetSqlInfo'
  | 'CommandGetXdbcTypeInfo';
