/**
 * Rows of JSON files for writeFile, numbers kept exact: an integer literal beyond 2^53 comes as
 * a bigint (JSON.parse would round it), every other number as a number. A JSON array is read
 * as a stream (stream-json's tokenizer, assembled here), NDJSON a line at a time.
 */
import { createInterface } from 'node:readline';
import { InterfaceError } from '../errors';
import { pipeInto, readStreamOf } from './fileStream';
import { parseJson } from './json';

type Row = Record<string, unknown>;
type Container = unknown[] | Row;

/** A number token: a bigint when it is an integer too large for a double to hold exactly. */
function numberOf(text: string): number | bigint {
  const value = Number(text);
  if (!Number.isSafeInteger(value) && /^-?\d+$/.test(text)) return BigInt(text);
  return value;
}

/** Rows of a file holding one JSON array of objects, streamed element by element. */
export async function* jsonArrayRows(path: string): AsyncGenerator<Row> {
  // stream-json is CommonJS without an exports map: a full file name, and its module.exports
  // as `default`, whichever module system runs this.
  const { default: Parser } = await import('stream-json/Parser.js');
  const input = await readStreamOf(path);
  try {
    yield* objectsOf(path, pipeInto(path, input, new Parser({ packValues: true, streamValues: false })));
  } finally {
    // Stopped early (a bad row, or the caller's error), the file would stay open until garbage collection.
    input.destroy();
  }
}

/** The objects of a JSON array, assembled from stream-json's tokens. */
async function* objectsOf(path: string, tokens: AsyncIterable<unknown>): AsyncGenerator<Row> {
  const notObject = (index: number) =>
    new InterfaceError(`writeFile: element ${index} of ${path} is not a JSON object`);
  // Containers being filled, with the key each will take in its parent; depth 1 is the array.
  const stack: Container[] = [];
  const keys: (string | undefined)[] = [];
  let current: Container | undefined;
  let key: string | undefined;
  let depth = 0;
  let index = 0;
  const add = (value: unknown) => {
    if (depth === 1) throw notObject(index);
    if (Array.isArray(current)) current.push(value);
    else (current as Row)[key!] = value;
  };
  for await (const token of tokens as AsyncIterable<{ name: string; value?: string }>) {
    switch (token.name) {
      case 'startObject':
      case 'startArray': {
        const array = token.name === 'startArray';
        if (depth === 0) {
          if (!array) throw new InterfaceError(`writeFile: ${path} does not hold a JSON array`);
        } else if (depth === 1 && array) throw notObject(index);
        if (current !== undefined) {
          stack.push(current);
          keys.push(key);
        }
        // Null-prototype rows: a "__proto__" key is data, as JSON.parse makes it.
        current = array ? [] : (Object.create(null) as Row);
        key = undefined;
        depth++;
        break;
      }
      case 'endObject':
      case 'endArray': {
        depth--;
        if (depth === 0) break;
        const finished = current;
        current = stack.pop();
        key = keys.pop();
        if (depth === 1) {
          yield finished as Row;
          index++;
        } else add(finished);
        break;
      }
      case 'keyValue':
        key = token.value;
        break;
      case 'stringValue':
        add(token.value);
        break;
      case 'numberValue':
        add(numberOf(token.value!));
        break;
      case 'nullValue':
        add(null);
        break;
      case 'trueValue':
        add(true);
        break;
      case 'falseValue':
        add(false);
        break;
      default:
        break;
    }
  }
  if (depth === 0 && current === undefined) {
    throw new InterfaceError(`writeFile: ${path} does not hold a JSON array`);
  }
}

/** Rows of an NDJSON file (one JSON object per line; blank lines skipped). */
export async function* ndjsonRows(path: string): AsyncGenerator<Row> {
  const input = await readStreamOf(path);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const line of lines) {
      number++;
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = parseJson(line);
      } catch (err) {
        throw new InterfaceError(`writeFile: line ${number} of ${path} is not JSON`, { cause: err });
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new InterfaceError(`writeFile: line ${number} of ${path} is not a JSON object`);
      }
      yield value as Row;
    }
  } finally {
    // Closing readline leaves its input open: stopped early, the file would stay open until garbage collection.
    input.destroy();
  }
}
