/** Counting a server's TCP connections as the kernel sees them (Linux' /proc/net/tcp). */
import { readFileSync } from 'node:fs';

/** Established TCP connections whose server end is `host`:`port` (an IPv4 address). */
export function serverSockets(port: number, host = '127.0.0.1'): number {
  const ip = Buffer.from(host.split('.').map(Number)).readUInt32LE().toString(16).toUpperCase();
  const local = `${ip.padStart(8, '0')}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => {
      const [, address, , state] = line.trim().split(/\s+/);
      return address === local && state === '01';
    }).length;
}
