/**
 * InfluxDB's `database` as a Flight call names it: a header that InfluxDB 3 reads under several
 * names (its clients send `database`; older ones `bucket-name` or `iox-namespace-name`).
 */
import type { Metadata } from '@grpc/grpc-js';

/** Headers that name the database, in the order InfluxDB 3 reads them. */
const DATABASE_HEADERS = ['database', 'bucket', 'bucket-name', 'iox-namespace-name'] as const;

/** The database a call's headers name, if any. */
export function databaseOf(metadata: Metadata): string | undefined {
  for (const header of DATABASE_HEADERS) {
    const value = metadata.get(header)[0];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}
