/**
 * Flight session options (Flight.proto, EXPERIMENTAL): SetSessionOptions, GetSessionOptions and
 * CloseSession, sent as DoAction calls whose body is the serialized request message (not
 * `google.protobuf.Any`-packed) and whose single result body is the serialized result message.
 *
 * The session is named by a cookie the server sets (`arrow_flight_session_id`); the
 * `FlightClient` keeps it and sends it back, so these calls must share one client.
 */
import { DataError, protocolError } from '../errors';
import type { CallOptions, FlightClient } from '../flight';
import {
  CloseSessionRequest,
  CloseSessionResult,
  CloseSessionResult_Status,
  GetSessionOptionsRequest,
  GetSessionOptionsResult,
  SetSessionOptionsRequest,
  SetSessionOptionsResult_ErrorValue,
  SetSessionOptionsResult as SetSessionOptionsResultProto,
  type SessionOptionValue as SessionOptionValueProto,
} from '../proto/Flight';

/** DoAction types of the session calls. */
export const SET_SESSION_OPTIONS = 'SetSessionOptions';
export const GET_SESSION_OPTIONS = 'GetSessionOptions';
export const CLOSE_SESSION = 'CloseSession';

/**
 * A session option value. `string` → string_value, `boolean` → bool_value, `bigint` →
 * int64_value, `number` → double_value (always, even for an integer such as `5`: use `5n` to
 * send an int64), `string[]` → string_list_value.
 */
export type SessionOptionValue = string | boolean | bigint | number | readonly string[];

/** Why the server refused to set an option. */
export type SessionOptionError = 'invalid-name' | 'invalid-value' | 'error' | 'unspecified';

/** The outcome of SetSessionOptions. */
export interface SetSessionOptionsResult {
  /** The options the server did not set, by name; options absent here were set. */
  readonly errors: ReadonlyMap<string, SessionOptionError>;
}

/** The outcome of CloseSession. */
export type CloseSessionStatus = 'closed' | 'closing' | 'not-closeable' | 'unspecified';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * The protocol form of a value; `undefined` gives a valueless SessionOptionValue, which asks
 * the server to unset the option. Throws `DataError` for an unsupported value.
 */
export function encodeSessionOptionValue(
  name: string,
  value: SessionOptionValue | undefined,
): SessionOptionValueProto {
  switch (typeof value) {
    case 'undefined':
      return {};
    case 'string':
      return { optionValue: { $case: 'stringValue', value } };
    case 'boolean':
      return { optionValue: { $case: 'boolValue', value } };
    case 'number':
      return { optionValue: { $case: 'doubleValue', value } };
    case 'bigint':
      if (value < INT64_MIN || value > INT64_MAX) {
        throw new DataError(`session option '${name}': ${value} does not fit in an int64`);
      }
      return { optionValue: { $case: 'int64Value', value } };
    default:
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
        return {
          optionValue: { $case: 'stringListValue', value: { values: [...(value as readonly string[])] } },
        };
      }
      throw new DataError(
        `session option '${name}': unsupported value type (${value === null ? 'null' : typeof value}); ` +
          'use a string, boolean, bigint (int64), number (double) or string array',
      );
  }
}

/** The value of a protocol SessionOptionValue; undefined when it has none (or an unknown kind). */
export function decodeSessionOptionValue(
  proto: SessionOptionValueProto | undefined,
): SessionOptionValue | undefined {
  const option = proto?.optionValue;
  switch (option?.$case) {
    case 'stringValue':
    case 'boolValue':
    case 'int64Value':
    case 'doubleValue':
      return option.value;
    case 'stringListValue':
      return Object.freeze([...option.value.values]);
    default:
      return undefined;
  }
}

/**
 * Sets session options; an `undefined` value unsets that option. The server creates the
 * session (and its cookie) if there is none. Refusals are reported per option, not thrown.
 */
export async function setSessionOptions(
  flight: FlightClient,
  options: Readonly<Record<string, SessionOptionValue | undefined>>,
  call?: CallOptions,
): Promise<SetSessionOptionsResult> {
  const sessionOptions: Record<string, SessionOptionValueProto> = {};
  for (const [name, value] of Object.entries(options))
    sessionOptions[name] = encodeSessionOptionValue(name, value);
  const body = SetSessionOptionsRequest.encode({ sessionOptions }).finish();
  const result = SetSessionOptionsResultProto.decode(
    await singleResult(flight, SET_SESSION_OPTIONS, body, call),
  );
  const errors = new Map<string, SessionOptionError>();
  for (const [name, error] of Object.entries(result.errors)) errors.set(name, errorName(error.value));
  return { errors };
}

/** The options of the current session. Options of a kind this client does not know are skipped. */
export async function getSessionOptions(
  flight: FlightClient,
  call?: CallOptions,
): Promise<Map<string, SessionOptionValue>> {
  const body = GetSessionOptionsRequest.encode({}).finish();
  const result = GetSessionOptionsResult.decode(await singleResult(flight, GET_SESSION_OPTIONS, body, call));
  const out = new Map<string, SessionOptionValue>();
  for (const [name, proto] of Object.entries(result.sessionOptions)) {
    const value = decodeSessionOptionValue(proto);
    if (value !== undefined) out.set(name, value);
  }
  return out;
}

/** Closes the current session. */
export async function closeSession(flight: FlightClient, call?: CallOptions): Promise<CloseSessionStatus> {
  const body = CloseSessionRequest.encode({}).finish();
  const result = CloseSessionResult.decode(await singleResult(flight, CLOSE_SESSION, body, call));
  switch (result.status) {
    case CloseSessionResult_Status.CLOSED:
      return 'closed';
    case CloseSessionResult_Status.CLOSING:
      return 'closing';
    case CloseSessionResult_Status.NOT_CLOSEABLE:
      return 'not-closeable';
    default:
      return 'unspecified';
  }
}

function errorName(value: SetSessionOptionsResult_ErrorValue): SessionOptionError {
  switch (value) {
    case SetSessionOptionsResult_ErrorValue.INVALID_NAME:
      return 'invalid-name';
    case SetSessionOptionsResult_ErrorValue.INVALID_VALUE:
      return 'invalid-value';
    case SetSessionOptionsResult_ErrorValue.ERROR:
      return 'error';
    default:
      return 'unspecified';
  }
}

/** Runs the action and returns its one result body (reading the stream to its end). */
async function singleResult(
  flight: FlightClient,
  type: string,
  body: Uint8Array,
  call: CallOptions | undefined,
): Promise<Uint8Array> {
  let first: Uint8Array | undefined;
  for await (const result of flight.doAction(type, body, call)) first ??= result;
  if (first === undefined) throw protocolError(`${type} returned no result`);
  return first;
}
