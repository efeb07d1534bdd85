/**
 * Tag order: tags are written sorted by their escaped keys' UTF-8 bytes (what the server's
 * Go code compares), with default tags merged in. Entries are flat [prefix, pair...] arrays
 * where a prefix is "," + escaped key + "=" and a pair the whole `,key=value` (see Point).
 */
import { InterfaceError } from '../errors';
import { escapeTagKey, escapeTagValue, needsLineCheck } from './lineProtocol';
import type { TagValue } from './Point';

/** Escaped default tags, flat [prefix, value...] (prefixes as in Point) in byte order, prepared once per batch. */
export interface PreparedTags {
  readonly tags: readonly string[];
  /** Whether lines carrying these tags must be checked whole (see `needsLineCheck`). */
  readonly checkLine: boolean;
}

/**
 * Compares two tag prefixes ("," + escaped key + "=") by the keys' UTF-8 bytes, as Go's bytes.Compare
 * does on the server. JS compares UTF-16 code units, which differs only between surrogates
 * (characters above U+FFFF) and U+E000..U+FFFF; those are remapped before comparing.
 */
export function compareKeys(a: string, b: string): number {
  const la = a.length - 1;
  const lb = b.length - 1;
  const n = la < lb ? la : lb;
  for (let i = 1; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x < y ? -1 : 1;
    }
  }
  return la - lb;
}

// Points of one series usually set the same tags in the same order: the permutation of the
// last sort is kept with the prefixes it sorted, and reused when they come again.
const lastUnsorted: string[] = [];
let lastOrder: number[] = [];
const scratch: string[] = [];

// Sorts the first `end` [prefix, value] entries by key.
export function sortTags(entries: string[], end: number): void {
  const n = end >> 1;
  let same = n === lastUnsorted.length;
  for (let k = 0; same && k < n; k++) same = entries[2 * k] === lastUnsorted[k];
  if (!same) {
    lastUnsorted.length = n;
    for (let k = 0; k < n; k++) lastUnsorted[k] = entries[2 * k]!;
    lastOrder = orderOf(lastUnsorted);
  }
  for (let k = 0; k < end; k++) scratch[k] = entries[k]!;
  for (let k = 0; k < n; k++) {
    const from = 2 * lastOrder[k]!;
    entries[2 * k] = scratch[from]!;
    entries[2 * k + 1] = scratch[from + 1]!;
  }
}

// The indices of `prefixes` in key order (insertion sort: points have few tags).
function orderOf(prefixes: readonly string[]): number[] {
  const order = prefixes.map((_, k) => k);
  for (let i = 1; i < order.length; i++) {
    const k = order[i]!;
    let j = i - 1;
    while (j >= 0 && compareKeys(prefixes[order[j]!]!, prefixes[k]!) > 0) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = k;
  }
  return order;
}

/** Escapes and sorts a set of default tags once, for many points. */
export function prepareTags(tags: Readonly<Record<string, TagValue>>): PreparedTags {
  if (tags === null || typeof tags !== 'object')
    throw new InterfaceError('tags must be an object of strings');
  const entries: string[] = [];
  let checkLine = false;
  for (const key in tags) {
    const value = tags[key];
    const text = value === null || value === undefined ? '' : String(value);
    if (text === '') continue;
    const prefix = ',' + escapeTagKey(key) + '=';
    const pair = prefix + escapeTagValue(text, key);
    if (needsLineCheck(pair)) checkLine = true;
    entries.push(prefix, pair);
  }
  sortTags(entries, entries.length);
  return { tags: entries, checkLine };
}

/** `,k=v...` of a point's sorted tags merged with sorted defaults (the point's own win). */
export function mergeTags(own: readonly string[], end: number, defaults: readonly string[]): string {
  let out = '';
  let i = 0;
  let j = 0;
  while (i < end || j < defaults.length) {
    const c = j >= defaults.length ? -1 : i >= end ? 1 : compareKeys(own[i]!, defaults[j]!);
    if (c <= 0) {
      out += own[i + 1];
      i += 2;
      if (c === 0) j += 2;
    } else {
      out += defaults[j + 1];
      j += 2;
    }
  }
  return out;
}
