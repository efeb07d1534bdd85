/**
 * InfluxDB's JSON ticket for Flight DoGet: `{ database, sql_query, query_type, params }`, with
 * bigints written as exact JSON numbers.
 */
import { randomBytes } from 'node:crypto';

/** What a ticket carries. */
export interface TicketFields {
  readonly database: string;
  readonly query: string;
  readonly language: 'sql' | 'influxql';
  readonly params?: Readonly<Record<string, string | number | bigint | boolean | null>>;
}

/** The ticket's bytes. Every parameter is sent, 0, false and '' included (an InfluxDB client once dropped them). */
export function ticketOf(fields: TicketFields): Buffer {
  const ticket: Record<string, unknown> = {
    database: fields.database,
    sql_query: fields.query,
    query_type: fields.language,
  };
  if (fields.params && Object.keys(fields.params).length > 0) ticket['params'] = { ...fields.params };
  return Buffer.from(ticketJson(ticket));
}

/**
 * The JSON of a ticket, bigints written as JSON numbers with all their digits (JSON.stringify
 * refuses them, and a double would round them). The placeholder carries a random mark, so that no
 * string of the caller's can be taken for one.
 */
function ticketJson(ticket: Record<string, unknown>): string {
  const mark = `\u0000${randomBytes(6).toString('hex')}:`;
  const json = JSON.stringify(ticket, (_key, value: unknown) =>
    typeof value === 'bigint' ? `${mark}${value}` : value,
  );
  // JSON.stringify writes the mark's NUL as \u0000.
  const quoted = JSON.stringify(mark).slice(1, -1);
  return json.replace(new RegExp(`"${escapeRegExp(quoted)}(-?\\d+)"`, 'g'), '$1');
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}
