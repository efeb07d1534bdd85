/**
 * The mutations of the decoder fuzz (fuzzHarness.ts): bit flips, truncations, changed lengths,
 * offsets and null counts, out-of-range offsets, type ids and dictionary indices, flipped
 * validity bits, and messages dropped, repeated, moved or swapped. Each says whether the
 * decoder must then give exactly the original rows (or an error).
 */
import { Type, type DataType, type Field, type Schema } from 'apache-arrow';
import {
  BufferRegion,
  DictionaryBatch as DictionaryBatchCtor,
  FieldNode,
  Message,
  RecordBatch as RecordBatchCtor,
} from 'apache-arrow/ipc/metadata/message';
import type {
  DictionaryBatch as DictionaryBatchHeader,
  RecordBatch as RecordBatchHeader,
} from 'apache-arrow/ipc/metadata/message';
import { decodeFlightData, encodeFlightData } from '../../../src/flight/flightData';
import { planBatch, type Need } from '../../../src/flight/validate';
import { verifyMessageHeader } from '../../../src/flight/validateHeader';
import { columnName } from '../../../src/flight/validateSchema';

/** One mutation; its integers are reduced modulo what they index when applied. */
export type Mutation =
  | { readonly kind: 'flipHeader' | 'flipBody' | 'flipWire'; readonly message: number; readonly bit: number }
  | {
      readonly kind: 'truncateHeader' | 'truncateBody' | 'truncateWire';
      readonly message: number;
      readonly at: number;
    }
  | { readonly kind: 'setField'; readonly message: number; readonly field: number; readonly value: number }
  | {
      readonly kind: 'badValue' | 'flipValidity';
      readonly message: number;
      readonly buffer: number;
      readonly element: number;
      readonly choice: number;
    }
  | { readonly kind: 'dropSchema' | 'bodyWithoutHeader'; readonly message: number }
  | { readonly kind: 'duplicateSchema' | 'dictionaryFirst' | 'drop'; readonly message: number }
  | { readonly kind: 'swap' | 'duplicate'; readonly message: number; readonly other: number };

interface Parts {
  header: Uint8Array;
  body: Uint8Array;
  appMetadata: Uint8Array;
}

function parts(bytes: Uint8Array): Parts | undefined {
  try {
    const raw = decodeFlightData(bytes);
    return { header: raw.header.slice(), body: raw.body.slice(), appMetadata: raw.appMetadata.slice() };
  } catch {
    return undefined;
  }
}

function wire(p: Parts): Uint8Array {
  return new Uint8Array(encodeFlightData({ header: p.header, body: [p.body], appMetadata: p.appMetadata }));
}

/** Applies the mutations; `exact` says whether success must give the original rows. */
export function apply(
  original: readonly Uint8Array[],
  mutations: readonly Mutation[],
): { messages: Uint8Array[]; exact: boolean } {
  let messages: Uint8Array[] = original.map((m) => m.slice());
  let exact = true;
  // Two exact mutations of content can cancel out (a validity bit flipped and the null count
  // moved with it): only one may aim at content for the result to have to be exact.
  let contentEdits = 0;
  // The schema as the stream declares it, to find buffers by role (from the unmutated stream).
  const schema = schemaOf(original);
  for (const m of mutations) {
    if (messages.length === 0) break;
    const i = m.message % messages.length;
    const edit = (f: (p: Parts) => boolean) => {
      const p = parts(messages[i]!);
      // Aim only at headers that still verify: apache-arrow would read a broken one as garbage.
      if (p && p.header.byteLength > 0 && !verifies(p.header)) return;
      let changed = false;
      try {
        changed = p !== undefined && f(p);
      } catch {
        // An earlier mutation left a header apache-arrow cannot read: nothing to aim at.
      }
      if (changed) messages[i] = wire(p!);
    };
    if (
      [
        'truncateHeader',
        'truncateBody',
        'setField',
        'badValue',
        'flipValidity',
        'bodyWithoutHeader',
      ].includes(m.kind)
    ) {
      if (++contentEdits > 1) exact = false;
    }
    switch (m.kind) {
      case 'flipHeader':
        exact = false;
        edit((p) => flip(p.header, m.bit));
        break;
      case 'flipBody':
        exact = false;
        edit((p) => flip(p.body, m.bit));
        break;
      case 'flipWire':
        exact = false;
        flip(messages[i]!, m.bit);
        break;
      case 'truncateHeader':
        edit((p) => ((p.header = p.header.subarray(0, m.at % Math.max(1, p.header.byteLength))), true));
        break;
      case 'truncateBody':
        edit((p) => ((p.body = p.body.subarray(0, m.at % Math.max(1, p.body.byteLength))), true));
        break;
      case 'truncateWire':
        // A FlightData cut at a field boundary parses as fewer fields: a batch may vanish.
        exact = false;
        messages[i] = messages[i]!.subarray(0, m.at % Math.max(1, messages[i]!.byteLength));
        break;
      case 'setField':
        edit((p) => {
          const result = setField(p.header, m.field, m.value);
          if (!result) return false;
          p.header = result.header;
          exact &&= result.exact;
          return true;
        });
        break;
      case 'badValue':
      case 'flipValidity':
        if (schema) edit((p) => bodyValue(p, schema, m));
        break;
      case 'bodyWithoutHeader':
        edit((p) => p.body.byteLength > 0 && ((p.header = new Uint8Array(0)), true));
        break;
      case 'dropSchema':
        // Dropping what is no longer a Schema drops data: that may go unnoticed.
        if (kindOf(messages[0]!) !== 'Schema') exact = false;
        messages = messages.slice(1);
        break;
      case 'duplicateSchema':
        if (kindOf(messages[0]!) !== 'Schema') exact = false;
        messages.splice(1 + (m.message % messages.length), 0, messages[0]!);
        break;
      case 'dictionaryFirst': {
        const d = messages.findIndex((bytes, k) => k > 0 && kindOf(bytes) === 'DictionaryBatch');
        if (d > 0) messages = [messages[d]!, ...messages.slice(0, d), ...messages.slice(d + 1)];
        break;
      }
      case 'drop':
        exact = false;
        messages.splice(i, 1);
        break;
      case 'swap': {
        exact = false;
        const j = m.other % messages.length;
        [messages[i], messages[j]] = [messages[j]!, messages[i]!];
        break;
      }
      case 'duplicate':
        exact = false;
        messages.splice(m.other % (messages.length + 1), 0, messages[i]!);
        break;
    }
  }
  return { messages, exact };
}

function verifies(header: Uint8Array): boolean {
  try {
    verifyMessageHeader(header.slice());
    return true;
  } catch {
    return false;
  }
}

function flip(bytes: Uint8Array, bit: number): boolean {
  if (bytes.byteLength === 0) return false;
  const at = bit % (bytes.byteLength * 8);
  bytes[at >> 3]! ^= 1 << (at & 7);
  return true;
}

function kindOf(bytes: Uint8Array): string | undefined {
  const p = parts(bytes);
  if (!p || p.header.byteLength === 0) return undefined;
  try {
    return ['NONE', 'Schema', 'DictionaryBatch', 'RecordBatch'][Message.decode(p.header).headerType];
  } catch {
    return undefined;
  }
}

function schemaOf(messages: readonly Uint8Array[]): Schema | undefined {
  const p = parts(messages[0]!);
  return p ? (Message.decode(p.header).header() as Schema) : undefined;
}

const SENTINEL = 0x0bad_c0de_1234n;

/** Values a length, count or offset is set to (beside ones derived from the original). */
const VALUES: readonly bigint[] = [
  0n,
  1n,
  -1n,
  7n,
  8n,
  2n ** 31n - 1n,
  2n ** 31n,
  2n ** 32n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 63n - 1n,
  -(2n ** 63n),
];

/**
 * Sets one int64 of a batch header (length, a node's length or null count, a buffer's offset
 * or length, the message's bodyLength; a dictionary's id or isDelta) to another value.
 */
function setField(
  header: Uint8Array,
  field: number,
  value: number,
): { header: Uint8Array; exact: boolean } | undefined {
  let message: Message;
  try {
    message = Message.decode(header);
  } catch {
    return undefined;
  }
  if (!message.isRecordBatch() && !message.isDictionaryBatch()) return undefined;
  const dictionary = message.isDictionaryBatch() ? (message.header() as DictionaryBatchHeader) : undefined;
  const batch = dictionary ? dictionary.data : (message.header() as RecordBatchHeader);
  const slots: number[] = [
    batch.length,
    ...batch.nodes.flatMap((n) => [n.length, n.nullCount]),
    ...batch.buffers.flatMap((b) => [b.offset, b.length]),
    message.bodyLength,
  ];
  const extra = dictionary ? 2 : 0; // id, isDelta
  const slot = field % (slots.length + extra);
  if (slot >= slots.length) {
    // Another dictionary id or the delta flag: may give other, valid data.
    const d = dictionary!;
    const changed =
      slot === slots.length
        ? new DictionaryBatchCtor(d.data, d.id + 1 + (value % 3), d.isDelta)
        : new DictionaryBatchCtor(d.data, d.id, !d.isDelta);
    return { header: Message.encode(Message.from(changed, message.bodyLength)), exact: false };
  }
  const original = BigInt(slots[slot]!);
  const derived = [original + 1n, original - 1n, original + 8n, original - 8n, original * 2n, original / 2n];
  const target = [...VALUES, ...derived][value % (VALUES.length + derived.length)]!;
  if (target === original) return undefined;
  const set = (k: number, v: number) => (k === slot ? Number(SENTINEL) : v);
  let k = 0;
  const length = set(k++, batch.length);
  const nodes = batch.nodes.map((n) => new FieldNode(set(k++, n.length), set(k++, n.nullCount)));
  const buffers = batch.buffers.map((b) => new BufferRegion(set(k++, b.offset), set(k++, b.length)));
  const bodyLength = set(k++, message.bodyLength);
  const rebuilt = new RecordBatchCtor(length, nodes, buffers, batch.compression, batch.variadicBufferCounts);
  const encoded = Message.encode(
    Message.from(
      dictionary ? new DictionaryBatchCtor(rebuilt, dictionary.id, dictionary.isDelta) : rebuilt,
      bodyLength,
    ),
  );
  const at = findInt64(encoded, SENTINEL);
  if (at < 0) return undefined;
  new DataView(encoded.buffer, encoded.byteOffset).setBigInt64(at, target, true);
  return { header: encoded, exact: true };
}

function findInt64(bytes: Uint8Array, value: bigint): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let found = -1;
  for (let i = 0; i + 8 <= bytes.byteLength; i++) {
    if (view.getBigInt64(i, true) === value) {
      if (found >= 0) return -1;
      found = i;
    }
  }
  return found;
}

/**
 * Writes an invalid offset, type id or dictionary index into the body, or flips a validity bit
 * within a column's rows: each must be an error (or, on a null slot, change nothing).
 */
function bodyValue(
  p: Parts,
  schema: Schema,
  m: Extract<Mutation, { kind: 'badValue' | 'flipValidity' }>,
): boolean {
  let message: Message;
  try {
    message = Message.decode(p.header);
  } catch {
    return false;
  }
  let batch: RecordBatchHeader;
  let columns: { type: DataType; path: string }[];
  if (message.isRecordBatch()) {
    batch = message.header() as RecordBatchHeader;
    columns = schema.fields.map((f: Field, i) => ({ type: f.type, path: columnName(f, i) }));
  } else if (message.isDictionaryBatch()) {
    const d = message.header() as DictionaryBatchHeader;
    const type = dictionaryType(schema, d.id);
    if (!type) return false;
    batch = d.data;
    columns = [{ type, path: '(values)' }];
  } else {
    return false;
  }
  let needs: readonly Need[];
  try {
    needs = planBatch('mutation', batch, columns, schema.metadataVersion).needs;
  } catch {
    return false; // an earlier mutation broke the header: nothing to aim at
  }
  const view = new DataView(p.body.buffer, p.body.byteOffset, p.body.byteLength);
  const targets = needs
    .map((need, index) => ({ need, index }))
    .filter(({ need }) =>
      m.kind === 'flipValidity'
        ? need.role === 'validity' && need.length > 0 && need.nullCount >= 0
        : need.length > 0 && (need.role === 'offsets' || need.role === 'type ids' || isIndices(need)),
    );
  if (targets.length === 0) return false;
  const { need, index } = targets[m.buffer % targets.length]!;
  const region = batch.buffers[index]!;
  if (m.kind === 'flipValidity') {
    if (region.length < Math.ceil(need.length / 8)) return false; // no bitmap: nothing to flip
    const bit = m.element % need.length;
    p.body[region.offset + (bit >> 3)]! ^= 1 << (bit & 7);
    return true;
  }
  if (need.role === 'type ids') {
    const declared = new Set((need.type as unknown as { typeIds: Int32Array }).typeIds);
    const bad = [-1, -128, 127, 42, 99].filter((id) => !declared.has(id));
    view.setInt8(region.offset + (m.element % need.length), bad[m.choice % bad.length]!);
    return true;
  }
  if (isIndices(need)) {
    const width = need.bytes / need.length;
    const row = m.element % need.length;
    const at = region.offset + row * width;
    const signed = (need.type as unknown as { indices: { isSigned: boolean } }).indices.isSigned;
    const big = [0x7f, 0x7fff, 0x7fffffff][Math.min(2, Math.log2(width))]!;
    const value = signed && m.choice % 2 === 0 ? -1 : big;
    if (width === 8) view.setBigInt64(at, BigInt(value), true);
    else if (width === 4) view.setInt32(at, value, true);
    else if (width === 2) view.setInt16(at, value, true);
    else view.setInt8(at, value);
    return true;
  }
  // Offsets: one entry negative, past everything, or out of order with a neighbour.
  const width = need.bytes / (need.length + 1);
  const e = m.element % (need.length + 1);
  const read = (k: number) =>
    width === 8
      ? Number(view.getBigInt64(region.offset + 8 * k, true))
      : view.getInt32(region.offset + 4 * k, true);
  const dense = need.type.typeId === Type.Union;
  const count = dense ? need.length : need.length + 1;
  const at = e % count;
  const candidates = [-1 - (m.choice % 5), 0x7fffff00 + (m.choice % 200)];
  if (!dense && at > 0 && read(at - 1) > 0) candidates.push(read(at - 1) - 1);
  if (!dense && at < need.length) candidates.push(read(at + 1) + 1);
  const value = candidates[m.choice % candidates.length]!;
  if (width === 8) view.setBigInt64(region.offset + 8 * at, BigInt(value), true);
  else view.setInt32(region.offset + 4 * at, value, true);
  return true;
}

function isIndices(need: Need): boolean {
  return need.role === 'values' && need.type.typeId === Type.Dictionary;
}

function dictionaryType(schema: Schema, id: number): DataType | undefined {
  return schema.dictionaries.get(id);
}
