/** Types of scripts/influxd.cjs (starts Debian's influxd on free loopback ports). */
export interface InfluxdOptions {
  /** Enable authentication and create the admin user through the open-before-first-user path. */
  auth?: boolean;
  /** The admin user of an auth instance (default admin / admin-pass). */
  admin?: { username: string; password: string };
  /** Enable a [[udp]] listener on a free port, writing into this database. */
  udpDatabase?: string;
  /** Serve HTTPS with these PEM files. */
  https?: { cert: string; key: string };
  /** A fixed HTTP port (e.g. 8086) instead of a free one; startInfluxd rejects, naming it, when it is taken. */
  port?: number;
}

export interface RunningInfluxd {
  /** `http://127.0.0.1:<port>` (or https). */
  url: string;
  host: string;
  port: number;
  rpcPort: number;
  udpPort?: number;
  dir: string;
  pid: number;
  admin?: { username: string; password: string };
  /** The certificate, for HTTPS instances. */
  ca?: Buffer;
  /** The server's log so far. */
  log(): string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its directory. */
  stop(): Promise<void>;
}

export function startInfluxd(options?: InfluxdOptions): Promise<RunningInfluxd>;
export function findInfluxd(): string | undefined;
export function freeTcpPort(): Promise<number>;
export function freeUdpPort(): Promise<number>;
export function makeSelfSignedCert(dir: string): { cert: string; key: string };
export const INSTALL_HINT: string;
