/**
 * The InfluxQL statements the embedded server understands, as the parser builds them. The
 * subset is InfluxDB's common one (see docs/server.md, "InfluxQL"); anything else is refused
 * by the parser or the translator with INVALID_ARGUMENT naming the construct.
 */
import { status as Status } from '@grpc/grpc-js';
import { StatusError } from '../statusErrors';

/** An InfluxQL expression. */
export type Expr =
  | { readonly kind: 'ref'; readonly name: string; readonly cast?: 'tag' | 'field' }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'integer'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'duration'; readonly ns: bigint; readonly text: string }
  | { readonly kind: 'regex'; readonly pattern: string }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[] }
  | { readonly kind: 'binary'; readonly op: string; readonly left: Expr; readonly right: Expr };

/** A projection: an expression and its `AS` name. */
export interface Field {
  readonly expr: Expr;
  readonly alias?: string;
}

/** A `FROM` source: a measurement name or a regex over names, in the ticket's database unless named. */
export interface Source {
  readonly database?: string;
  readonly name?: string;
  readonly regex?: string;
}

/** `fill(...)`: `null` is the default. */
export type Fill =
  | { readonly kind: 'null' | 'none' | 'previous' | 'linear' }
  | { readonly kind: 'value'; readonly value: number };

/** `GROUP BY time(interval[, offset])`. */
export interface TimeGroup {
  readonly interval: bigint;
  readonly offset: bigint;
}

/** A `SELECT` statement. */
export interface SelectStatement {
  readonly kind: 'select';
  readonly fields: readonly Field[];
  readonly from: readonly Source[];
  readonly where?: Expr;
  readonly groupByTime?: TimeGroup;
  /** Tag keys of `GROUP BY`. */
  readonly groupByTags: readonly string[];
  /** `GROUP BY *`: every tag. */
  readonly groupByAll: boolean;
  readonly fill: Fill;
  readonly descending: boolean;
  readonly limit?: number;
  readonly offset?: number;
  readonly slimit?: number;
  readonly soffset?: number;
}

/** `WITH KEY` of SHOW TAG VALUES: `=`/`!=` one key, `IN` a list, `=~`/`!~` a regex. */
export type KeyFilter =
  | { readonly op: '=' | '!=' | 'in'; readonly keys: readonly string[] }
  | { readonly op: '=~' | '!~'; readonly regex: string };

/** The SHOW statements of the subset. */
export type ShowStatement =
  | { readonly kind: 'showDatabases' }
  | {
      readonly kind: 'showMeasurements';
      readonly with?: { readonly name?: string; readonly regex?: string };
      readonly limit?: number;
      readonly offset?: number;
    }
  | {
      readonly kind: 'showTagKeys' | 'showFieldKeys';
      readonly from: readonly Source[];
      readonly limit?: number;
      readonly offset?: number;
    }
  | {
      readonly kind: 'showTagValues';
      readonly from: readonly Source[];
      readonly key: KeyFilter;
      readonly where?: Expr;
      readonly limit?: number;
      readonly offset?: number;
    };

/** A statement of the subset. */
export type Statement = SelectStatement | ShowStatement;

/** The error every refusal of the subset throws: INVALID_ARGUMENT with what was refused. */
export function invalid(message: string): StatusError {
  return new StatusError(Status.INVALID_ARGUMENT, `InfluxQL: ${message}`);
}

/** Refuses a construct outside the subset, by name. */
export function unsupported(construct: string): StatusError {
  return invalid(`${construct} is not supported by this server`);
}
