#!/usr/bin/env node
/** The `flightsql` command: serve, query, demo. */
import { demo } from './demo';
import { query } from './query';
import { serve } from './serve';

const usage = `usage: flightsql <command>
  serve [--host 127.0.0.1] [--port 0] [--database FILE] [--token T] [--partitions N] [--http-port N]
        [--allow-dir DIR]... [--full-access]                           run the embedded server: Flight SQL and HTTP writes on one
                                                                       port (--http-port adds a separate HTTP one); prints the location;
                                                                       clients reach only DIRs' files, or everything with --full-access
  query [--host URI] [--token T] [--database DB] "SQL"                 run a query and print the result
  demo                                                                 the npm start demo`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'query':
      return query(rest);
    case 'demo':
      return demo();
    default:
      process.stderr.write(`${usage}\n`);
      process.exitCode = command === undefined || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`flightsql: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
