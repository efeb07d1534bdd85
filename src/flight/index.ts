/** Arrow Flight: the transport layer (knows nothing of SQL). */
export {
  DEFAULT_FLOW_CONTROL_WINDOW,
  DEFAULT_KEEPALIVE_TIME_MS,
  DEFAULT_KEEPALIVE_TIMEOUT_MS,
  DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
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
  type FlightStreamReaderOptions,
} from './FlightStreamReader';
export {
  carriesCredentials,
  checkCredentialScope,
  isOrigin,
  type CredentialScope,
  type TrustedLocations,
} from './authLocations';
export type { ChannelLimits } from './channelOptions';
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
