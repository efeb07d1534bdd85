/**
 * InfluxQL on the embedded server: a JSON ticket with `query_type: "influxql"` runs here,
 * translated to DuckDB SQL over the tables HTTP writes make (see docs/server.md, "InfluxQL").
 */
import type { DuckDBEngine, QueryStream } from '../DuckDBEngine';
import { duckdbCatalog } from './catalog';
import { translateInfluxQL } from './translate';

export { translateInfluxQL } from './translate';
export { parseInfluxQL } from './parser';

/** Now in epoch nanoseconds: one value per statement, as InfluxDB reads now(). */
const nowNs = () => BigInt(Date.now()) * 1_000_000n;

/** Runs the InfluxQL statement `text` in `database` and streams its result. */
export async function influxqlQuery(
  engine: DuckDBEngine,
  text: string,
  database: string | undefined,
  signal: AbortSignal,
): Promise<QueryStream> {
  const sql = await engine.withConnection(
    undefined,
    (connection) => translateInfluxQL(text, duckdbCatalog(connection), database, nowNs()),
    signal,
  );
  return engine.query(sql, signal);
}
