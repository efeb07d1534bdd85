#!/usr/bin/env node
/** The `flightsql` command: serve, query, shell, write, admin, demo. */
import { UsageError, parseFlags } from './args';
import { OutputClosed } from './output/sink';
import { packageVersion } from './version';

const USAGE = `usage: flightsql <command> [flags]      ('flightsql <command> --help' for its flags)

commands:
  serve [--port N] [--database FILE] ...   run the embedded Flight SQL server (DuckDB inside)
  query [flags] [SQL]                      run SQL, stream the result (table, csv, json, ndjson,
                                           arrow, parquet); SQL from an argument, -f FILE or stdin
  shell [flags]                            interactive SQL shell (\\dt, \\d TABLE, \\timing, \\q)
  write FILE [...]                         write line protocol, CSV, JSON, Parquet or Arrow to
                                           InfluxDB 1.x, 2 or 3
  admin ...                                InfluxDB 1.x databases, retention policies, users,
                                           privileges
  demo                                     the npm start demo

flags:
  --help, -h       this text
  --version, -v    the version of flightsql

query and shell connect to grpc+tcp://127.0.0.1:31337 unless --host or FLIGHTSQL_HOST says
otherwise: start a server there with 'flightsql serve --port 31337'.`;

const DEMO_USAGE = `usage: flightsql demo

What \`npm start\` runs: starts the embedded server on a free port, loads a \`home\` table of sensor
readings and queries it through FlightSQLClient, connect() and a cursor, the Knex dialect and
InfluxDBClient3, printing each result. Takes no flags.`;

// Each command is loaded when it runs: `--version` or `query` need not load the server (and
// DuckDB), and `serve` not the output formats.
const COMMANDS: Readonly<Record<string, (argv: string[]) => Promise<void>>> = {
  serve: async (argv) => (await import('./serve.js')).serve(argv),
  query: async (argv) => (await import('./query.js')).query(argv),
  shell: async (argv) => (await import('./shell.js')).shell(argv),
  write: async (argv) => (await import('./write.js')).write(argv),
  admin: async (argv) => (await import('./admin.js')).admin(argv),
  demo: async (argv) => {
    const parsed = parseFlags('demo', argv, {}, DEMO_USAGE);
    if (parsed === 'help') return;
    if (parsed.positionals.length > 0) {
      throw new UsageError(`flightsql demo: unexpected argument '${parsed.positionals[0]}'`);
    }
    await (await import('./demo.js')).demo();
  },
};

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`flightsql ${packageVersion()}\n`);
    return;
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) {
    throw new UsageError(
      command.startsWith('-') ? `unknown option '${command}'` : `unknown command '${command}'`,
    );
  }
  await run(rest);
}

/**
 * The error's message, with its `code` (e.g. ENOENT) when the message does not already say it;
 * a gRPC failure already ends with its status name (`[UNAVAILABLE]`).
 */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || (err as { grpcCode?: unknown }).grpcCode !== undefined) return err.message;
  // A message that already ends with a code, e.g. `(ENOENT)`, keeps that one.
  if (err.message.includes(code) || /\([A-Z][A-Z0-9_]*\)$/.test(err.message)) return err.message;
  return `${err.message} (${code})`;
}

// A reader that went away (`flightsql query ... | head`) ends the command quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof OutputClosed) return;
  if (err instanceof UsageError) {
    const message = err.message.startsWith('flightsql') ? err.message : `flightsql: ${err.message}`;
    const command = /^flightsql (\w+):/.exec(err.message)?.[1];
    process.stderr.write(`${message}\nTry 'flightsql ${command ? `${command} ` : ''}--help'.\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`flightsql: ${describe(err)}\n`);
  process.exitCode = 1;
});
