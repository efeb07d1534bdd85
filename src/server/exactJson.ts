/**
 * JSON with exact numbers: `JSON.parse` turns `12345678901234567890` and `0.1000000000000000055`
 * into the nearest double, so a JSON ticket's parameter would be bound as another value than
 * the one sent. Here every number keeps its text (`JsonNumber`), and the binder types it as DuckDB
 * types the same literal. Node 20's `JSON.parse` has no source text for a value, hence the scan.
 */
import { randomBytes } from 'node:crypto';

/** A JSON number as written. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** `JSON.parse(text)`, with every number a `JsonNumber`; throws SyntaxError as JSON.parse does. */
export function parseExactJson(text: string): unknown {
  // Numbers become marked strings (the mark is random, so no string sent can forge it), then
  // parse, then the marked strings become JsonNumbers again.
  const mark = `\u0000${randomBytes(6).toString('hex')}:`;
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(text);
      if (!match) continue; // not a number: JSON.parse reports it
      out += `${text.slice(from, i)}${JSON.stringify(mark + match[0])}`;
      i += match[0].length - 1;
      from = i + 1;
    }
  }
  out += text.slice(from);
  return JSON.parse(out, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(mark) ? new JsonNumber(value.slice(mark.length)) : value,
  );
}
