/**
 * Line protocol over UDP to an InfluxDB `[[udp]]` listener (node:dgram). UDP has no answer:
 * a datagram the server cannot parse is dropped silently, which is why points are checked
 * before they leave. Lines are packed into datagrams of at most `maxPayload` bytes.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { closedError, InterfaceError, OperationalError } from '../errors';

/** Largest datagram we send: under the 65,507-byte UDP limit and influxd's 64 KiB read buffer. */
export const MAX_UDP_PAYLOAD = 65_000;

/** Sends line protocol to one host and port over UDP. */
export class UdpSender {
  readonly #host: string;
  readonly #port: number;
  #socket: Socket | undefined;
  #closed = false;

  constructor(host: string, port: number) {
    this.#host = host;
    this.#port = port;
  }

  /** Sends the lines, packed into as few datagrams as fit. */
  async send(lines: readonly string[], maxPayload = MAX_UDP_PAYLOAD): Promise<void> {
    if (this.#closed) throw closedError('InfluxDBClient');
    for (const datagram of pack(lines, maxPayload)) await this.#send(datagram);
  }

  /** Closes the socket (a second call does nothing). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket?.close();
    this.#socket = undefined;
  }

  #send(datagram: Buffer): Promise<void> {
    if (!this.#socket) {
      this.#socket = createSocket(isIP(this.#host) === 6 ? 'udp6' : 'udp4');
      // Errors arrive through send's callback; an unhandled 'error' event would crash.
      this.#socket.on('error', () => undefined);
    }
    const socket = this.#socket;
    return new Promise((resolve, reject) => {
      socket.send(datagram, this.#port, this.#host, (err) => {
        if (err)
          reject(
            new OperationalError(`UDP send to ${this.#host}:${this.#port} failed: ${err.message}`, {
              cause: err,
            }),
          );
        else resolve();
      });
    });
  }
}

/** Groups lines into UTF-8 datagrams of at most `maxPayload` bytes, one line never split. */
export function pack(lines: readonly string[], maxPayload: number): Buffer[] {
  const out: Buffer[] = [];
  let current: string[] = [];
  let size = 0;
  for (const line of lines) {
    const bytes = Buffer.byteLength(line, 'utf8');
    if (bytes > maxPayload) {
      throw new InterfaceError(
        `a line of ${bytes} bytes does not fit in one UDP datagram (max ${maxPayload}): write it over HTTP`,
      );
    }
    const added = current.length === 0 ? bytes : bytes + 1;
    if (size + added > maxPayload) {
      out.push(Buffer.from(current.join('\n'), 'utf8'));
      current = [];
      size = 0;
    }
    size += current.length === 0 ? bytes : bytes + 1;
    current.push(line);
  }
  if (current.length > 0) out.push(Buffer.from(current.join('\n'), 'utf8'));
  return out;
}
