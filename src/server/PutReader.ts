/**
 * The client's side of a DoPut, pulled one message at a time. DoPut answers as soon as it knows
 * what its command needs: Arrow C++'s client (pyarrow, flightsql-dbapi) sends a statement
 * update's first message and then waits for the result before it half-closes, so a server that
 * waited for the half-close would wait for it forever.
 */
import { status as Status, type ServerDuplexStream } from '@grpc/grpc-js';
import type { RawFlightData } from '../flight';
import { StatusError } from './statusErrors';

interface Waiter {
  resolve(message: RawFlightData | undefined): void;
  reject(err: unknown): void;
}

/** Reads a DoPut's messages on demand, holding back the client (flow control) while nobody reads. */
export class PutReader {
  readonly #call: ServerDuplexStream<RawFlightData, unknown>;
  readonly #queue: RawFlightData[] = [];
  #waiter: Waiter | undefined;
  #ended = false;
  #failure: unknown;
  #closed = false;

  constructor(call: ServerDuplexStream<RawFlightData, unknown>) {
    this.#call = call;
    // grpc-js's server streams end their async iteration unreliably, hence the events.
    call.on('data', this.#onData);
    call.once('end', this.#onEnd);
    call.once('error', this.#onError);
    call.once('cancelled', this.#onCancelled);
  }

  /**
   * The next message, or undefined once the client has half-closed. Rejects with CANCELLED when
   * the client goes away (cancel, deadline, lost connection) before that.
   */
  next(): Promise<RawFlightData | undefined> {
    const message = this.#queue.shift();
    if (message) return Promise.resolve(message);
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#ended || this.#closed) return Promise.resolve(undefined);
    if (this.#waiter) return Promise.reject(new Error('PutReader.next() called while a read is pending'));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.#call.resume();
    });
  }

  /**
   * Stops reading. Whatever the client still sends (arrow-go's empty batch after a prepared
   * update's schema, a late half-close) is dropped, so the call can finish whenever it ends.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#call.off('data', this.#onData);
    this.#call.off('end', this.#onEnd);
    this.#call.off('error', this.#onError);
    this.#call.off('cancelled', this.#onCancelled);
    // A flowing stream with no 'data' listener discards what arrives.
    this.#call.resume();
    this.#settle(undefined);
  }

  readonly #onData = (message: RawFlightData): void => {
    if (this.#waiter) {
      this.#settle(message);
      return;
    }
    this.#queue.push(message);
    // Nobody is reading: let gRPC flow control hold the client back until someone does.
    this.#call.pause();
  };

  readonly #onEnd = (): void => {
    // Node's HTTP/2 server also ends the request stream of a connection that was lost, and
    // grpc-js passes that on as a half-close, reporting the cancellation only a few ticks later.
    // Once those ticks have run, a lost connection shows as a cancellation, not as the end of an
    // upload that would then be applied half-sent.
    setImmediate(() => {
      if (this.#failure !== undefined || this.#closed) return;
      this.#ended = true;
      this.#settle(undefined);
    });
  };

  readonly #onError = (err: unknown): void => {
    this.#fail(err);
  };

  readonly #onCancelled = (): void => {
    this.#fail(new StatusError(Status.CANCELLED, 'the client cancelled the call'));
  };

  #fail(err: unknown): void {
    if (this.#failure !== undefined || this.#ended) return;
    this.#failure = err;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(err);
  }

  #settle(message: RawFlightData | undefined): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve(message);
  }
}
