/** Types of stream-json 1.x (CommonJS, no bundled types), for the two entries writeFile uses. */
declare module 'stream-json' {
  import type { Transform } from 'node:stream';
  export function parser(options?: Record<string, unknown>): Transform;
}

declare module 'stream-json/streamers/StreamArray' {
  import type { Transform } from 'node:stream';
  export function streamArray(options?: Record<string, unknown>): Transform;
}
