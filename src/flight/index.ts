/** Arrow Flight: the transport layer (knows nothing of SQL). */
export {
  DEFAULT_FLOW_CONTROL_WINDOW,
  FlightClient,
  type ActionType,
  type BatchSource,
  type CallOptions,
  type FlightClientOptions,
} from './FlightClient';
export {
  FlightStreamReader,
  limitBuffering,
  STREAM_BUFFER_MESSAGES,
  type FlightStreamChunk,
} from './FlightStreamReader';
export {
  arrowKind,
  ownBatchSource,
  ownData,
  ownField,
  ownRecordBatch,
  ownSchema,
  ownTable,
  ownType,
  ownVector,
  type ArrowKind,
  type OwnBatchSource,
} from './arrowInput';
export { FlightDataDecoder, type DecodedPayload } from './decode';
export { FlightDataEncoder, DEFAULT_MAX_MESSAGE_BYTES } from './encode';
export {
  ALIGN_BODY_HEADER,
  decodeFlightData,
  encodeFlightData,
  type OutgoingFlightData,
  type RawFlightData,
} from './flightData';
export {
  parseLocation,
  parseConnectionUrl,
  locationUri,
  resolveSqlClientConfig,
  REUSE_CONNECTION,
  type ConnectionUrlOptions,
  type Endpoint,
  type SqlClientConfig,
  type TlsOptions,
} from './options';
export {
  decodeSchema,
  encodeSchema,
  descriptorToProto,
  flightInfoToProto,
  endpointToProto,
  type FlightDescriptor,
  type FlightEndpoint,
  type FlightInfo,
  type Location,
  type PollInfo,
  type Ticket,
} from './types';
