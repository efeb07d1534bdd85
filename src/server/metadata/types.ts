/** Types shared by the metadata command families (kept apart from index.ts to avoid cycles). */
import type { RecordBatch, Schema } from 'apache-arrow';
import type { Command, MetadataKind } from '../../sql/commands';

/** Result of a metadata command: its exact Flight SQL schema and its rows as Arrow batches. */
export interface MetadataResult {
  readonly schema: Schema;
  readonly batches: RecordBatch[];
}

/** The Flight SQL commands answered from DuckDB's catalog (or from fixed tables). */
export type { MetadataKind } from '../../sql/commands';

/** An unpacked metadata command (see `unpackCommand`). */
export type MetadataCommand = Extract<Command, { kind: MetadataKind }>;

/** The decoded message of metadata command `K`. */
export type MetadataMessage<K extends MetadataKind> = Extract<MetadataCommand, { kind: K }>['message'];
