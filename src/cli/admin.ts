/**
 * `flightsql admin COMMAND`: InfluxDB 1.x administration through InfluxDBClient's admin methods
 * (databases, retention policies, users, privileges). Lists print as a plain table, or JSON
 * with `--format json`; changes print one line saying what was done. A refusal by the server
 * is the server's message and exit 1.
 */
import type { InfluxDBClient, Privilege, ResultPoint } from '../influx';
import { UsageError, choiceOf, parseFlags, positiveIntOf, type FlagOptions } from './args';
import { env } from '../flight/options';
import { CONNECTION_FLAGS, CONNECTION_USAGE, connectionOf, v1Client } from './influxConnection';

/** One admin command: its usage line and how it runs. */
interface Command {
  readonly synopsis: string;
  readonly summary: string;
  run(name: string, argv: string[]): Promise<void>;
}

type Values<T extends FlagOptions> = Exclude<ReturnType<typeof parseFlags<T>>, 'help'>['values'];

/** What a command's body gets: its flags, its positional arguments by name, a client. */
interface Context<T extends FlagOptions> {
  readonly values: Values<T & typeof CONNECTION_FLAGS>;
  readonly args: Readonly<Record<string, string>>;
  readonly client: InfluxDBClient;
}

const FORMATS = ['table', 'json'] as const;
const LIST_FLAGS = { format: { type: 'string' } } as const;
const LIST_USAGE = '  --format table|json   the output (default table)';
const DATABASE_FLAG = { database: { type: 'string', short: 'd' } } as const;
const RP_FLAGS = {
  ...DATABASE_FLAG,
  duration: { type: 'string' },
  replication: { type: 'string' },
  'shard-duration': { type: 'string' },
  default: { type: 'boolean' },
} as const;
const RP_USAGE = `  --database DB, -d DB  the database (default INFLUX_DATABASE)
  --duration D          how long data is kept: an InfluxQL duration (1h, 7d, 52w, 1h30m) or INF
  --replication N       copies of each point (1 on InfluxDB OSS)
  --shard-duration D    time span of each shard group (default chosen by the server)
  --default             make it the database's default retention policy`;
const PASSWORD_FLAG = { 'user-password': { type: 'string' } } as const;
const PASSWORD_USAGE = `  --user-password P     the user's password (default INFLUX_USER_PASSWORD; the variable keeps
                        it out of the process list). Not --password: that one logs you in`;
const GRANT_FLAGS = { ...DATABASE_FLAG, user: { type: 'string' } } as const;
const GRANT_USAGE = `  --database DB, -d DB  the database
  --user U              the user`;

/** Defines a command: `args` are the names of its positional arguments, all required. */
function command<T extends FlagOptions>(
  synopsis: string,
  summary: string,
  flags: T,
  flagUsage: string,
  body: (context: Context<T>) => Promise<void>,
): Command {
  const words = synopsis.split(' ').slice(1);
  const required = words.filter((word) => /^[A-Z]+$/.test(word));
  const argNames = [...required, ...words.flatMap((word) => /^\[([A-Z]+)\]$/.exec(word)?.[1] ?? [])];
  return {
    synopsis,
    summary,
    async run(name, argv) {
      const usage = `usage: flightsql admin ${synopsis} [flags]\n\n${summary}.\n${flagUsage ? `\n${flagUsage}\n` : ''}\n${CONNECTION_USAGE}`;
      const all = { ...CONNECTION_FLAGS, ...flags } as T & typeof CONNECTION_FLAGS;
      const parsed = parseFlags(`admin ${name}`, argv, all, usage);
      if (parsed === 'help') return;
      const count = parsed.positionals.length;
      if (count < required.length || count > argNames.length) {
        const expected = argNames.length === 0 ? 'no arguments' : words.join(' ');
        throw new UsageError(
          `flightsql admin ${name}: expected ${expected}, got ${parsed.positionals.length === 0 ? 'none' : `'${parsed.positionals.join(' ')}'`}`,
        );
      }
      const args = Object.fromEntries(parsed.positionals.map((value, i) => [argNames[i]!, value]));
      const values = parsed.values as Values<T & typeof CONNECTION_FLAGS>;
      // Checked before anything is sent.
      const format = (values as { format?: string }).format;
      if (format !== undefined) choiceOf('format', format, FORMATS, `admin ${name}`);
      const client = v1Client(connectionOf(`admin ${name}`, values));
      try {
        await body({ values, args, client });
      } finally {
        await client.close();
      }
    },
  };
}

/** A list command's output: a table with `columns`, or JSON. */
function print(
  points: readonly ResultPoint[],
  columns: readonly string[],
  format: string | undefined,
  name: string,
): void {
  const how = choiceOf('format', format ?? 'table', FORMATS, `admin ${name}`);
  if (how === 'json') {
    process.stdout.write(
      `${JSON.stringify(points, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`,
    );
    return;
  }
  process.stdout.write(`${formatRecords(points, columns)}\n`);
}

/** Rows as the query command prints tables: a header, a rule, right-aligned numbers, a count. */
export function formatRecords(points: readonly ResultPoint[], columns: readonly string[]): string {
  const text = (v: unknown) =>
    v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const rows = points.map((p) => columns.map((c) => text(p[c])));
  const numeric = columns.map((c) => points.length > 0 && points.every((p) => typeof p[c] === 'number'));
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join(' | ')
      .trimEnd();
  const out = [line(columns), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(line)];
  out.push(`(${points.length} row${points.length === 1 ? '' : 's'})`);
  return out.join('\n');
}

function say(message: string): void {
  process.stdout.write(`${message}\n`);
}

function databaseOf(values: { database?: string }, name: string): string {
  const database = values.database ?? env('INFLUX_DATABASE');
  if (!database) throw new UsageError(`flightsql admin ${name}: give --database DB`);
  return database;
}

function passwordOf(values: { 'user-password'?: string }, name: string): string {
  const password = values['user-password'] ?? env('INFLUX_USER_PASSWORD');
  if (password === undefined) {
    throw new UsageError(`flightsql admin ${name}: give --user-password P (or set INFLUX_USER_PASSWORD)`);
  }
  return password;
}

const PRIVILEGES = ['read', 'write', 'all'] as const;

function privilegeOf(text: string, name: string): Privilege {
  if (!(PRIVILEGES as readonly string[]).includes(text.toLowerCase())) {
    throw new UsageError(`flightsql admin ${name}: PRIVILEGE must be read, write or all, got '${text}'`);
  }
  return text.toLowerCase() as Privilege;
}

function grantee(
  values: { database?: string; user?: string },
  name: string,
): { database: string; user: string } {
  if (values.user === undefined) throw new UsageError(`flightsql admin ${name}: give --user U`);
  return { database: databaseOf(values, name), user: values.user };
}

const q = JSON.stringify;

/** Every admin command, by name, in the order the usage lists them. */
const COMMANDS: Readonly<Record<string, Command>> = {
  databases: command('databases', 'List the databases', LIST_FLAGS, LIST_USAGE, async ({ values, client }) =>
    print(await client.getListDatabase(), ['name'], values.format, 'databases'),
  ),
  'create-database': command(
    'create-database NAME',
    'Create a database (nothing happens if it exists)',
    {},
    '',
    async ({ args, client }) => {
      await client.createDatabase(args['NAME']!);
      say(`created database ${q(args['NAME'])}`);
    },
  ),
  'drop-database': command(
    'drop-database NAME',
    'Drop a database and all its data',
    {},
    '',
    async ({ args, client }) => {
      await client.dropDatabase(args['NAME']!);
      say(`dropped database ${q(args['NAME'])}`);
    },
  ),
  'retention-policies': command(
    'retention-policies [DB]',
    'List the retention policies of a database (DB, or --database)',
    { ...LIST_FLAGS, ...DATABASE_FLAG },
    `  --database DB, -d DB  the database, instead of DB (default INFLUX_DATABASE)\n${LIST_USAGE}`,
    async ({ values, args, client }) => {
      if (args['DB'] !== undefined && values.database !== undefined && args['DB'] !== values.database) {
        throw new UsageError('flightsql admin retention-policies: DB and --database differ; give one');
      }
      const database = databaseOf({ database: args['DB'] ?? values.database }, 'retention-policies');
      const points = await client.getListRetentionPolicies({ database });
      print(
        points,
        ['name', 'duration', 'shardGroupDuration', 'replicaN', 'default'],
        values.format,
        'retention-policies',
      );
    },
  ),
  'create-retention-policy': command(
    'create-retention-policy NAME',
    'Create a retention policy (--database and --duration required)',
    RP_FLAGS,
    RP_USAGE,
    async ({ values, args, client }) => {
      const name = 'create-retention-policy';
      const database = databaseOf(values, name);
      if (values.duration === undefined)
        throw new UsageError(`flightsql admin ${name}: give --duration D (e.g. 7d, or INF)`);
      const replication =
        values.replication === undefined
          ? 1
          : positiveIntOf('replication', values.replication, `admin ${name}`);
      await client.createRetentionPolicy(args['NAME']!, values.duration, replication, {
        database,
        shardDuration: values['shard-duration'],
        default: values.default,
      });
      say(`created retention policy ${q(args['NAME'])} on ${q(database)}`);
    },
  ),
  'alter-retention-policy': command(
    'alter-retention-policy NAME',
    'Change a retention policy (at least one of --duration, --replication, --shard-duration, --default)',
    RP_FLAGS,
    RP_USAGE,
    async ({ values, args, client }) => {
      const name = 'alter-retention-policy';
      const database = databaseOf(values, name);
      if (
        values.duration === undefined &&
        values.replication === undefined &&
        values['shard-duration'] === undefined &&
        !values.default
      ) {
        throw new UsageError(
          `flightsql admin ${name}: nothing to change: give --duration, --replication, --shard-duration or --default`,
        );
      }
      await client.alterRetentionPolicy(args['NAME']!, {
        database,
        duration: values.duration,
        replication:
          values.replication === undefined
            ? undefined
            : positiveIntOf('replication', values.replication, `admin ${name}`),
        shardDuration: values['shard-duration'],
        default: values.default,
      });
      say(`altered retention policy ${q(args['NAME'])} on ${q(database)}`);
    },
  ),
  'drop-retention-policy': command(
    'drop-retention-policy NAME',
    'Drop a retention policy and its data (--database required)',
    DATABASE_FLAG,
    '  --database DB, -d DB  the database (default INFLUX_DATABASE)',
    async ({ values, args, client }) => {
      const database = databaseOf(values, 'drop-retention-policy');
      await client.dropRetentionPolicy(args['NAME']!, { database });
      say(`dropped retention policy ${q(args['NAME'])} on ${q(database)}`);
    },
  ),
  users: command(
    'users',
    'List the users and whether each is an admin',
    LIST_FLAGS,
    LIST_USAGE,
    async ({ values, client }) =>
      print(await client.getListUsers(), ['user', 'admin'], values.format, 'users'),
  ),
  'create-user': command(
    'create-user NAME',
    'Create a user (--admin: with all privileges)',
    { ...PASSWORD_FLAG, admin: { type: 'boolean' } },
    `${PASSWORD_USAGE}\n  --admin               make the user an administrator`,
    async ({ values, args, client }) => {
      await client.createUser(args['NAME']!, passwordOf(values, 'create-user'), values.admin ?? false);
      say(`created ${values.admin ? 'admin ' : ''}user ${q(args['NAME'])}`);
    },
  ),
  'set-password': command(
    'set-password NAME',
    "Change a user's password",
    PASSWORD_FLAG,
    PASSWORD_USAGE,
    async ({ values, args, client }) => {
      await client.setUserPassword(args['NAME']!, passwordOf(values, 'set-password'));
      say(`changed the password of ${q(args['NAME'])}`);
    },
  ),
  'drop-user': command('drop-user NAME', 'Drop a user', {}, '', async ({ args, client }) => {
    await client.dropUser(args['NAME']!);
    say(`dropped user ${q(args['NAME'])}`);
  }),
  grant: command(
    'grant PRIVILEGE',
    'Grant read, write or all on a database to a user (replacing what the user had on it)',
    GRANT_FLAGS,
    GRANT_USAGE,
    async ({ values, args, client }) => {
      const privilege = privilegeOf(args['PRIVILEGE']!, 'grant');
      const { database, user } = grantee(values, 'grant');
      await client.grantPrivilege(privilege, database, user);
      say(`granted ${privilege} on ${q(database)} to ${q(user)}`);
    },
  ),
  revoke: command(
    'revoke PRIVILEGE',
    'Revoke read, write or all on a database from a user',
    GRANT_FLAGS,
    GRANT_USAGE,
    async ({ values, args, client }) => {
      const privilege = privilegeOf(args['PRIVILEGE']!, 'revoke');
      const { database, user } = grantee(values, 'revoke');
      await client.revokePrivilege(privilege, database, user);
      say(`revoked ${privilege} on ${q(database)} from ${q(user)}`);
    },
  ),
  'grant-admin': command(
    'grant-admin USER',
    'Make a user an administrator',
    {},
    '',
    async ({ args, client }) => {
      await client.grantAdminPrivileges(args['USER']!);
      say(`granted all privileges to ${q(args['USER'])}`);
    },
  ),
  'revoke-admin': command(
    'revoke-admin USER',
    "Take a user's administrator rights (revoking the last admin's locks the instance)",
    {},
    '',
    async ({ args, client }) => {
      await client.revokeAdminPrivileges(args['USER']!);
      say(`revoked all privileges from ${q(args['USER'])}`);
    },
  ),
  privileges: command(
    'privileges USER',
    "List a user's privileges by database",
    LIST_FLAGS,
    LIST_USAGE,
    async ({ values, args, client }) =>
      print(
        await client.getListPrivileges(args['USER']!),
        ['database', 'privilege'],
        values.format,
        'privileges',
      ),
  ),
};

const USAGE = `usage: flightsql admin COMMAND [ARGS] [flags]

Administers InfluxDB 1.x over HTTP (InfluxQL statements sent by InfluxDBClient).

${Object.values(COMMANDS)
  .map((c) => `  ${c.synopsis.padEnd(30)} ${c.summary}`)
  .join('\n')}

Every command takes the connection flags below; lists take --format table|json.
'flightsql admin COMMAND --help' shows a command's own flags.

${CONNECTION_USAGE}`;

/** `flightsql admin COMMAND ...`; throws UsageError for an unknown command or a bad flag. */
export async function admin(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === undefined) {
      throw new UsageError(
        `flightsql admin: give a command (one of ${Object.keys(COMMANDS).join(', ')}); see flightsql admin --help`,
      );
    }
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const found = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!found) {
    throw new UsageError(
      `flightsql admin: unknown command '${name}' (one of ${Object.keys(COMMANDS).join(', ')})`,
    );
  }
  await found.run(name, rest);
}
