/**
 * No silent loss when the process ends: batching writers that hold lines are registered here.
 * When the event loop empties (`beforeExit`: the flush timer is unref'd, so a script that
 * writes and ends gets there with lines still buffered), each is told to flush, which keeps
 * the process alive until its batches are sent. If the process ends anyway with lines unsent
 * (`process.exit()`, an uncaught exception), each reports them on `exit`, synchronously.
 *
 * One pair of process listeners serves every writer, installed only while some writer holds
 * lines and removed after: many clients add no listeners and no MaxListeners warning.
 */

/** A writer the guard watches while it holds lines. */
export interface ExitGuarded {
  /** The event loop is empty: send what is held (the sends keep the process alive). */
  flushBeforeExit(): void;
  /** The process is ending now: report what is still held (synchronous code only). */
  reportAtExit(): void;
}

const guarded = new Set<ExitGuarded>();

function onBeforeExit(): void {
  for (const writer of Array.from(guarded)) writer.flushBeforeExit();
}

function onExit(): void {
  for (const writer of Array.from(guarded)) writer.reportAtExit();
  guarded.clear();
}

/** Watches `writer` until `release`; idempotent. */
export function guard(writer: ExitGuarded): void {
  if (guarded.has(writer)) return;
  if (guarded.size === 0) {
    process.on('beforeExit', onBeforeExit);
    process.on('exit', onExit);
  }
  guarded.add(writer);
}

/** Stops watching `writer` (it holds nothing now); idempotent. */
export function release(writer: ExitGuarded): void {
  if (!guarded.delete(writer)) return;
  if (guarded.size === 0) {
    process.off('beforeExit', onBeforeExit);
    process.off('exit', onExit);
  }
}

/** How many writers are watched now (for tests). */
export function guardedWriters(): number {
  return guarded.size;
}
