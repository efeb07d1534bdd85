/**
 * Query cancellation for the embedded server: the CancelFlightInfo and CancelQuery actions stop
 * the DoGets running a ticket, and a ticket cancelled before or while it ran fails when redeemed.
 */
import { status as Status } from '@grpc/grpc-js';
import * as pb from '../proto/Flight';
import { packCommand, unpackAs } from '../sql/commands';
import * as sql from '../proto/FlightSql';
import { StatusError } from './statusErrors';

/** How a DoGet of a cancelled ticket fails. */
export const CANCELLED_BY_REQUEST = new StatusError(
  Status.CANCELLED,
  'the query was cancelled (CancelFlightInfo)',
);

function keyOf(ticket: Uint8Array): string {
  return Buffer.from(ticket).toString('base64');
}

/** The DoGets in progress, by ticket, and the tickets cancelled so far. */
export class Cancellations {
  private readonly running = new Map<AbortController, string>();
  private readonly cancelled = new Set<string>();

  /** Whether `ticket` has been cancelled. */
  isCancelled(ticket: Uint8Array): boolean {
    return this.cancelled.has(keyOf(ticket));
  }

  /** Records a DoGet of `ticket` as running (a cancel aborts `controller`); fails if it was cancelled. */
  start(controller: AbortController, ticket: Uint8Array): void {
    const key = keyOf(ticket);
    if (this.cancelled.has(key))
      throw new StatusError(Status.CANCELLED, 'the query was cancelled (CancelFlightInfo)');
    this.running.set(controller, key);
  }

  /** Forgets a DoGet that has ended. */
  finish(controller: AbortController): void {
    this.running.delete(controller);
  }

  /** Cancels every endpoint's ticket of `info`, aborting the DoGets running them. */
  cancel(info: pb.FlightInfo | undefined): pb.CancelStatus {
    if (!info?.endpoint.length)
      throw new StatusError(Status.INVALID_ARGUMENT, 'cancel needs the FlightInfo of the query');
    for (const endpoint of info.endpoint) {
      const key = keyOf(endpoint.ticket?.ticket ?? Buffer.alloc(0));
      this.cancelled.add(key);
      for (const [controller, ticket] of this.running) if (ticket === key) controller.abort();
    }
    return pb.CancelStatus.CANCEL_STATUS_CANCELLED;
  }

  /** The CancelFlightInfo action: answers a CancelFlightInfoResult. */
  cancelFlightInfo(body: Uint8Array): Buffer {
    const status = this.cancel(pb.CancelFlightInfoRequest.decode(body).info);
    return Buffer.from(pb.CancelFlightInfoResult.encode({ status }).finish());
  }

  /** The CancelQuery action (Flight SQL before Flight 15): answers an ActionCancelQueryResult. */
  cancelQuery(body: Uint8Array): Buffer {
    const request = unpackAs(body, 'ActionCancelQueryRequest');
    if (!request)
      throw new StatusError(Status.INVALID_ARGUMENT, 'CancelQuery needs an ActionCancelQueryRequest');
    this.cancel(pb.FlightInfo.decode(request.info));
    const result = sql.ActionCancelQueryResult_CancelResult.CANCEL_RESULT_CANCELLED;
    return Buffer.from(packCommand('ActionCancelQueryResult', { result }));
  }
}
