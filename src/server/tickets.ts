/**
 * What DoGet tickets and Flight descriptors mean to the embedded server: statement handles
 * (stateless: the ticket carries the query), InfluxDB's JSON tickets, commands used as their own
 * tickets (metadata, prepared statements), and the command of a CMD descriptor.
 */
import { status as Status } from '@grpc/grpc-js';
import * as pb from '../proto/Flight';
import { unpackCommand, type Command } from '../sql/commands';
import { isMetadataCommand, type MetadataCommand } from './metadata';
import type { PreparedStatements } from './PreparedStatements';
import { parseExactJson } from './exactJson';
import { StatusError } from './statusErrors';
import type { NamedParameters } from './statements';

/** What a TicketStatementQuery's handle holds. */
export interface StatementHandle {
  readonly sql: string;
  /** Transaction the statement runs in (hex of its id), if any. */
  readonly txn?: string;
  /** This ticket's share of a result split over `parts` endpoints (0-based). */
  readonly part?: number;
  readonly parts?: number;
  /** Where unqualified names resolve: InfluxDB's `database` (a DuckDB schema here), from the JSON ticket or the call's header. */
  readonly database?: string;
  /** InfluxDB's JSON ticket: named parameters. */
  readonly params?: NamedParameters;
  /** InfluxDB's JSON ticket with `query_type: "influxql"`: `sql` is InfluxQL, translated when run. */
  readonly language?: 'influxql';
}

/** A statement to run: its SQL and, for a prepared statement, its bound parameters. */
export interface Statement {
  readonly sql: string;
  readonly parameters?: readonly unknown[] | NamedParameters;
  /** Transaction id, for statements that run in one. */
  readonly txn?: Uint8Array;
  /** The schema to run in (InfluxDB's `database`), when the ticket names one. */
  readonly database?: string;
  /** `influxql`: `sql` is InfluxQL (src/server/influxql translates it). */
  readonly language?: 'influxql';
}

/**
 * Part `part` of `parts` contiguous shares of a query's rows, in the query's own order where
 * DuckDB keeps it: for servers started with `partitions`, so that multi-endpoint clients get
 * exercised. Every share runs the whole query.
 */
export function partitionSql(sql: string, part: number, parts: number): string {
  const query = sql.trim().replace(/;\s*$/, '');
  return `SELECT * EXCLUDE (__flightsql_part) FROM (SELECT *, ntile(${parts}) OVER () AS __flightsql_part FROM (${query})) WHERE __flightsql_part = ${part + 1}`;
}

/** Our statement handles are stateless: the ticket carries the query itself. */
export function encodeHandle(handle: StatementHandle): Buffer {
  return Buffer.from(JSON.stringify(handle));
}

/** The statement a handle made by `encodeHandle` holds; INVALID_ARGUMENT for anything else. */
export function decodeHandle(bytes: Uint8Array): StatementHandle {
  try {
    const handle = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<StatementHandle>;
    if (typeof handle.sql === 'string') {
      const split = Number.isInteger(handle.part) && Number.isInteger(handle.parts) && handle.parts! > 1;
      return {
        sql: handle.sql,
        txn: typeof handle.txn === 'string' ? handle.txn : undefined,
        ...(split ? { part: handle.part, parts: handle.parts } : {}),
        ...(typeof handle.database === 'string' ? { database: handle.database } : {}),
      };
    }
  } catch {
    // fall through
  }
  throw new StatusError(Status.INVALID_ARGUMENT, 'invalid statement handle');
}

/** The SQL of a DoGet ticket: a TicketStatementQuery, or InfluxDB's JSON ticket for plain Flight clients. */
export function sqlOfTicket(ticket: Uint8Array): StatementHandle {
  const text = Buffer.from(ticket).toString('utf8').trim();
  if (text.startsWith('{')) {
    let json: Record<string, unknown>;
    try {
      // Numbers exactly as sent: a parameter is bound as the literal it was written as.
      json = parseExactJson(text) as Record<string, unknown>;
    } catch {
      throw new StatusError(Status.INVALID_ARGUMENT, 'invalid JSON ticket');
    }
    const language = String(json['query_type'] ?? 'sql').toLowerCase();
    if (language !== 'sql' && language !== 'influxql')
      throw new StatusError(Status.INVALID_ARGUMENT, `unknown query_type '${language}'`);
    if (typeof json['sql_query'] !== 'string') {
      throw new StatusError(Status.INVALID_ARGUMENT, 'JSON ticket has no "sql_query" string');
    }
    const database =
      typeof json['database'] === 'string' && json['database'] !== '' ? json['database'] : undefined;
    const params = json['params'];
    if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) {
      throw new StatusError(Status.INVALID_ARGUMENT, 'JSON ticket "params" must be an object');
    }
    if (language === 'influxql') {
      if (params !== undefined && Object.keys(params).length > 0)
        throw new StatusError(Status.INVALID_ARGUMENT, 'InfluxQL: "params" are not supported by this server');
      return { sql: json['sql_query'], database, language };
    }
    return { sql: json['sql_query'], database, params: params as NamedParameters | undefined };
  }
  let command: Command;
  try {
    command = unpackCommand(ticket);
  } catch {
    throw new StatusError(Status.INVALID_ARGUMENT, 'unrecognised ticket');
  }
  if (command.kind === 'TicketStatementQuery') return decodeHandle(command.message.statementHandle);
  throw new TicketIsCommand(command);
}

/** The ticket is itself a command (prepared statements use their own command as the ticket). */
export class TicketIsCommand extends globalThis.Error {
  constructor(readonly command: Command) {
    super('ticket is a command');
  }
}

function unsupportedTicket(command: Command): StatusError {
  if (command.kind === 'unknown' && command.typeUrl === '') {
    return new StatusError(
      Status.INVALID_ARGUMENT,
      'unrecognised ticket: neither a Flight SQL ticket nor an InfluxDB JSON ticket',
    );
  }
  return new StatusError(
    Status.INVALID_ARGUMENT,
    `unsupported ticket ${command.kind === 'unknown' ? command.typeUrl : command.kind}`,
  );
}

/** The statement a DoGet ticket runs: a statement handle's, or a prepared statement's with its parameters. */
export function statementOfTicket(ticket: Uint8Array, prepared: PreparedStatements): Statement {
  try {
    const handle = sqlOfTicket(ticket);
    const sql =
      handle.parts === undefined ? handle.sql : partitionSql(handle.sql, handle.part!, handle.parts);
    return {
      sql,
      txn: handle.txn === undefined ? undefined : Buffer.from(handle.txn, 'hex'),
      database: handle.database,
      ...(handle.language ? { language: handle.language } : {}),
      parameters: handle.params,
    };
  } catch (err) {
    if (!(err instanceof TicketIsCommand)) throw err;
    const command = err.command;
    if (command.kind !== 'CommandPreparedStatementQuery') throw unsupportedTicket(command);
    const statement = prepared.lookup(command.message.preparedStatementHandle);
    if (statement.parameters.length > 1) {
      throw new StatusError(Status.INVALID_ARGUMENT, 'a prepared query runs with one parameter row');
    }
    return {
      sql: statement.sql,
      txn: statement.txn,
      database: statement.database,
      parameters: statement.parameters[0] ?? (statement.shape.parameterSchema.fields.length ? [] : undefined),
    };
  }
}

/** The metadata command a DoGet ticket holds, if it is one. */
export function metadataOfTicket(ticket: Uint8Array): MetadataCommand | undefined {
  if (ticket.byteLength === 0 || ticket[0] === 0x7b /* '{': a JSON ticket */) return undefined;
  try {
    const command = unpackCommand(ticket);
    return isMetadataCommand(command) ? command : undefined;
  } catch {
    return undefined;
  }
}

/** The Flight SQL command of a descriptor; INVALID_ARGUMENT for a path or a non-Any command. */
export function commandOf(descriptor: pb.FlightDescriptor): Command {
  if (descriptor.type !== pb.FlightDescriptor_DescriptorType.CMD) {
    throw new StatusError(
      Status.INVALID_ARGUMENT,
      'this server takes CMD descriptors (Flight SQL commands), not paths',
    );
  }
  try {
    return unpackCommand(descriptor.cmd);
  } catch {
    throw new StatusError(Status.INVALID_ARGUMENT, 'the descriptor command is not a google.protobuf.Any');
  }
}
