/**
 * flightsql/proto: the wire level, for the few who need it. The messages generated from
 * Flight.proto and FlightSql.proto (`flight`, `flightSql`), the codecs between FlightData and
 * Arrow IPC, the Any packing of Flight SQL commands, and the decoders of metadata results.
 */
export * as flight from './proto/Flight';
export * as flightSql from './proto/FlightSql';
export {
  ALIGN_BODY_HEADER,
  DEFAULT_MAX_MESSAGE_BYTES,
  FlightDataDecoder,
  FlightDataEncoder,
  decodeFlightData,
  decodeSchema,
  descriptorToProto,
  encodeFlightData,
  encodeSchema,
  endpointToProto,
  flightInfoToProto,
  type DecodedPayload,
  type OutgoingFlightData,
  type RawFlightData,
} from './flight';
export {
  TYPE_URL_PREFIX,
  crossReferenceMessage,
  dbSchemasMessage,
  decodeCatalogs,
  decodeDbSchemas,
  decodeForeignKeys,
  decodePrimaryKeys,
  decodeSqlInfo,
  decodeTableTypes,
  decodeTables,
  decodeXdbcTypeInfo,
  packCommand,
  tableRefMessage,
  tablesMessage,
  unpackAs,
  unpackCommand,
  type Command,
  type CommandKind,
  type CommandMessage,
} from './sql';
