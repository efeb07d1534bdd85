/** Types of stream-json 1.x (CommonJS, no bundled types), for the one entry writeFile uses. */
declare module 'stream-json/Parser.js' {
  import { Transform } from 'node:stream';
  /** The JSON tokenizer: a stream of `{ name, value }` tokens. */
  class Parser extends Transform {
    constructor(options?: Record<string, unknown>);
  }
  export = Parser;
}
