/**
 * Reading metadata results by column name, tolerant of the types servers actually send: any
 * string column (Utf8, LargeUtf8, Utf8View, dictionary-encoded), any integer width (or a
 * decimal), booleans as 0/1. A missing required column or a null in a required field is a
 * ProtocolError: the result is not what the command promises.
 */
import type { Table } from 'apache-arrow';
import { protocolError } from '../../errors';
import { RowConverter } from '../../values';

/** One result row, keyed by column name. */
export type MetadataRow = Record<string, unknown>;

/** Every row of `table` as objects keyed by column name; `required` columns must exist. */
export function rowsOf(table: Table, what: string, required: readonly string[]): MetadataRow[] {
  const names = new Set(table.schema.fields.map((f) => f.name));
  for (const name of required) {
    if (!names.has(name)) throw protocolError(`${what} result has no column ${name}`);
  }
  const converter = new RowConverter(table.schema, { rowMode: 'object' });
  return table.batches.flatMap((batch) => converter.rows(batch) as MetadataRow[]);
}

const utf8 = new TextDecoder();

function text(value: unknown): string {
  if (value instanceof Uint8Array) return utf8.decode(value);
  return String(value);
}

/** A nullable string field (absent column: null). */
export function optString(row: MetadataRow, name: string): string | null {
  const value = row[name];
  return value === null || value === undefined ? null : text(value);
}

/** A required string field. */
export function reqString(row: MetadataRow, name: string, what: string): string {
  const value = optString(row, name);
  if (value === null) throw protocolError(`${what} result has a null ${name}`);
  return value;
}

/** A nullable integer field as a number (absent column: null). */
export function optInt(row: MetadataRow, name: string): number | null {
  const value = row[name];
  return value === null || value === undefined ? null : Number(value);
}

/** A required integer field as a number. */
export function reqInt(row: MetadataRow, name: string, what: string): number {
  const value = optInt(row, name);
  if (value === null || Number.isNaN(value)) throw protocolError(`${what} result has a null ${name}`);
  return value;
}

/** A nullable boolean field (absent column: null). */
export function optBool(row: MetadataRow, name: string): boolean | null {
  const value = row[name];
  if (value === null || value === undefined) return null;
  return typeof value === 'boolean' ? value : Number(value) !== 0;
}

/** A required boolean field. */
export function reqBool(row: MetadataRow, name: string, what: string): boolean {
  const value = optBool(row, name);
  if (value === null) throw protocolError(`${what} result has a null ${name}`);
  return value;
}

/** A nullable list of strings (absent column: null). */
export function optStringList(row: MetadataRow, name: string): string[] | null {
  const value = row[name];
  if (value === null || value === undefined) return null;
  return Array.isArray(value) ? value.map((item) => text(item)) : [text(value)];
}
