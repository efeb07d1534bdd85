import {
  Decimal,
  DenseUnion,
  FixedSizeList,
  Field,
  Int,
  Int32,
  Map_,
  Schema,
  SparseUnion,
  Struct,
  Time,
  TimeUnit,
  Utf8,
  type DataType,
} from 'apache-arrow';
import { Builder } from 'flatbuffers';
import { Field as FbField } from 'apache-arrow/fb/field';
import { Int as FbInt } from 'apache-arrow/fb/int';
import { Message as FbMessage } from 'apache-arrow/fb/message';
import { Schema as FbSchema } from 'apache-arrow/fb/schema';
import { Struct_ as FbStruct } from 'apache-arrow/fb/struct-';
import { Type as FbType } from 'apache-arrow/fb/type';
import { ProtocolError } from '../../../src';
import { FlightDataDecoder } from '../../../src/flight/decode';
import { raw, schemaMessage } from './validateHelpers';

/** What a Schema message may declare, and header flatbuffers apache-arrow's writer never makes. */

describe('what a Schema may declare', () => {
  const decodeSchemaOf = (type: DataType) =>
    new FlightDataDecoder().decode(raw(schemaMessage(new Schema([new Field('c', type, true)]))));

  const int = new Field('a', new Int32(), true);
  test.each([
    ['an Int of 7 bits', new Int(true, 7 as 8)],
    ['a Decimal of 96 bits', new Decimal(2, 10, 96)],
    ['a Decimal whose scale would print 2^31 digits', new Decimal(2 ** 31 - 1, 10, 128)],
    ['a 64-bit Time in seconds', new Time(TimeUnit.SECOND, 64 as 32)],
    ['a FixedSizeList of -1', new FixedSizeList(-1, int)],
    ['a union without type ids', new DenseUnion([], [int])],
    ['a union with a type id used twice', new SparseUnion([1, 1], [int, new Field('b', new Utf8(), true)])],
    ['a union type id above 127', new SparseUnion([128], [int])],
    ['a Map whose entries are not a struct', new Map_(int as unknown as Field<Struct>)],
  ])('%s is refused', (_what, type) => {
    expect(() => decodeSchemaOf(type)).toThrow(/Schema column "c"/);
  });

  test('every type the client reads is accepted', () => {
    const s = new Field('s', new Utf8(), true);
    for (const type of [
      new Decimal(-5, 38, 128),
      new Decimal(2, 76, 256),
      new Time(TimeUnit.NANOSECOND, 64),
    ]) {
      expect(decodeSchemaOf(type).kind).toBe('schema');
    }
    expect(decodeSchemaOf(new SparseUnion([5, 127], [int, s])).kind).toBe('schema');
  });

  test('nesting deeper than 64 is refused', () => {
    let type: DataType = new Int32();
    for (let i = 0; i < 70; i++) type = new Struct([new Field('f', type, true)]);
    expect(() => decodeSchemaOf(type)).toThrow(ProtocolError);
  });

  /** A Message flatbuffer built by hand, for what apache-arrow's writer would never produce. */
  function handBuilt(build: (b: Builder) => { fields: number[]; endianness?: number }): Uint8Array {
    const b = new Builder();
    const { fields, endianness = 0 } = build(b);
    const fieldsVector = FbSchema.createFieldsVector(b, fields);
    FbSchema.startSchema(b);
    FbSchema.addEndianness(b, endianness);
    FbSchema.addFields(b, fieldsVector);
    const schema = FbSchema.endSchema(b);
    FbMessage.finishMessageBuffer(b, FbMessage.createMessage(b, 4, 1, schema, 0n, 0));
    return b.asUint8Array();
  }

  function intField(b: Builder): number {
    const name = b.createString('i');
    const type = FbInt.createInt(b, 32, true);
    FbField.startField(b);
    FbField.addName(b, name);
    FbField.addTypeType(b, FbType.Int);
    FbField.addType(b, type);
    return FbField.endField(b);
  }

  test('hand-built schemas: the builder is right', () => {
    const header = handBuilt((b) => ({ fields: [intField(b)] }));
    const payload = new FlightDataDecoder().decode(raw(header));
    expect(payload.kind === 'schema' && String(payload.schema.fields[0]!.type)).toBe('Int32');
  });

  test('big-endian data is refused', () => {
    const header = handBuilt((b) => ({ fields: [intField(b)], endianness: 1 }));
    expect(() => new FlightDataDecoder().decode(raw(header))).toThrow(/big-endian/);
  });

  test('a field of type NONE, or without a type table, is refused (not read as Null)', () => {
    const none = handBuilt((b) => {
      const name = b.createString('x');
      FbField.startField(b);
      FbField.addName(b, name);
      return { fields: [FbField.endField(b)] };
    });
    expect(() => new FlightDataDecoder().decode(raw(none))).toThrow(/a Field has no type/);
    const noTable = handBuilt((b) => {
      FbField.startField(b);
      FbField.addTypeType(b, FbType.Int);
      return { fields: [FbField.endField(b)] };
    });
    expect(() => new FlightDataDecoder().decode(raw(noTable))).toThrow(/a Field has no type table/);
  });

  test('a field tree that shares its children (a DAG of 2^30 fields in a few hundred bytes) is refused quickly', () => {
    const header = handBuilt((b) => {
      let child = intField(b);
      for (let level = 0; level < 30; level++) {
        const children = FbField.createChildrenVector(b, [child, child]);
        const struct = FbStruct.createStruct_(b);
        FbField.startField(b);
        FbField.addTypeType(b, FbType.Struct_);
        FbField.addType(b, struct);
        FbField.addChildren(b, children);
        child = FbField.endField(b);
      }
      return { fields: [child] };
    });
    const started = performance.now();
    expect(() => new FlightDataDecoder().decode(raw(header))).toThrow(/more tables than/);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
