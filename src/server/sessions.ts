/**
 * Flight sessions for the embedded server: the SetSessionOptions, GetSessionOptions and
 * CloseSession actions, with the session named by the `arrow_flight_session_id` cookie.
 * Sessions live in memory only.
 */
import { status as Status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import {
  CloseSessionRequest,
  CloseSessionResult,
  CloseSessionResult_Status,
  GetSessionOptionsRequest,
  GetSessionOptionsResult,
  SetSessionOptionsRequest,
  SetSessionOptionsResult,
  SetSessionOptionsResult_ErrorValue,
  type SessionOptionValue as SessionOptionValueProto,
} from '../proto/Flight';
import {
  CLOSE_SESSION,
  decodeSessionOptionValue,
  encodeSessionOptionValue,
  GET_SESSION_OPTIONS,
  SET_SESSION_OPTIONS,
  type SessionOptionValue,
} from '../sql/sessionOptions';
import { StatusError } from './statusErrors';

export const SESSION_COOKIE = 'arrow_flight_session_id';

/** Options that must be strings (applied by the service to the session's connection). */
const STRING_OPTIONS: ReadonlySet<string> = new Set(['catalog', 'schema']);

/** Default cap on live sessions; past it the oldest session is dropped. */
export const DEFAULT_MAX_SESSIONS = 10_000;

/** The value of cookie `name` in a `cookie` header, if present. */
export function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  if (cookieHeader === undefined) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export class SessionStore {
  readonly #sessions = new Map<string, Map<string, SessionOptionValue>>();
  readonly #maxSessions: number;

  constructor(options: { maxSessions?: number } = {}) {
    this.#maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  }

  /** Number of live sessions. */
  get size(): number {
    return this.#sessions.size;
  }

  /**
   * Handles the three session actions; returns undefined when `type` is not one of them. Reads
   * the session id from the call's `cookie` header and, when it creates a session, returns the
   * `set-cookie` header value to send. Refused options are reported in the result; throws
   * `StatusError` for an undecodable body (INVALID_ARGUMENT) and, as Flight.proto asks, for
   * CloseSession of an unknown session (NOT_FOUND).
   */
  handle(
    type: string,
    body: Uint8Array,
    cookieHeader: string | undefined,
  ): { result: Uint8Array; setCookie?: string } | undefined {
    switch (type) {
      case SET_SESSION_OPTIONS:
        return this.#set(decode(SetSessionOptionsRequest, body, type), cookieHeader);
      case GET_SESSION_OPTIONS: {
        decode(GetSessionOptionsRequest, body, type);
        const sessionOptions: Record<string, SessionOptionValueProto> = {};
        for (const [name, value] of this.#session(cookieHeader) ?? []) {
          sessionOptions[name] = encodeSessionOptionValue(name, value);
        }
        return { result: GetSessionOptionsResult.encode({ sessionOptions }).finish() };
      }
      case CLOSE_SESSION: {
        decode(CloseSessionRequest, body, type);
        const id = cookieValue(cookieHeader, SESSION_COOKIE);
        if (id === undefined || !this.#sessions.delete(id)) {
          throw new StatusError(Status.NOT_FOUND, 'no such session (closed, expired or never opened)');
        }
        return { result: CloseSessionResult.encode({ status: CloseSessionResult_Status.CLOSED }).finish() };
      }
      default:
        return undefined;
    }
  }

  /** The options of the session named by `cookieHeader` (for the service to apply, e.g. a default schema). */
  optionsFor(cookieHeader: string | undefined): ReadonlyMap<string, SessionOptionValue> | undefined {
    return this.#session(cookieHeader);
  }

  #session(cookieHeader: string | undefined): Map<string, SessionOptionValue> | undefined {
    const id = cookieValue(cookieHeader, SESSION_COOKIE);
    return id === undefined ? undefined : this.#sessions.get(id);
  }

  #set(
    request: SetSessionOptionsRequest,
    cookieHeader: string | undefined,
  ): { result: Uint8Array; setCookie?: string } {
    let session = this.#session(cookieHeader);
    let setCookie: string | undefined;
    if (session === undefined) {
      const id = randomUUID();
      session = new Map();
      while (this.#sessions.size >= this.#maxSessions) {
        this.#sessions.delete(this.#sessions.keys().next().value!);
      }
      this.#sessions.set(id, session);
      setCookie = `${SESSION_COOKIE}=${id}; Path=/; HttpOnly`;
    }
    const errors: SetSessionOptionsResult['errors'] = {};
    for (const [name, proto] of Object.entries(request.sessionOptions)) {
      if (name === '' || /\s/.test(name)) {
        errors[name] = { value: SetSessionOptionsResult_ErrorValue.INVALID_NAME };
        continue;
      }
      const value = decodeSessionOptionValue(proto);
      if (value === undefined) {
        if (proto.optionValue === undefined) session.delete(name);
        else errors[name] = { value: SetSessionOptionsResult_ErrorValue.INVALID_VALUE };
      } else if (STRING_OPTIONS.has(name) && typeof value !== 'string') {
        errors[name] = { value: SetSessionOptionsResult_ErrorValue.INVALID_VALUE };
      } else {
        session.set(name, value);
      }
    }
    const result = SetSessionOptionsResult.encode({ errors }).finish();
    return setCookie === undefined ? { result } : { result, setCookie };
  }
}

function decode<T>(codec: { decode(bytes: Uint8Array): T }, body: Uint8Array, type: string): T {
  try {
    return codec.decode(body);
  } catch {
    throw new StatusError(Status.INVALID_ARGUMENT, `unable to decode the ${type} request`);
  }
}
