import type { PartitionLog } from '../storage/types.js';

export type WaitOutcome = 'appended' | 'timeout' | 'closing';

/**
 * The parked requests waiting on one shutdown signal. The signal gets a single abort listener
 * however many fetches wait: one listener per parked fetch made Node print
 * MaxListenersExceededWarning past ten waiting consumers, which reads as a leak.
 */
const waitersBySignal = new WeakMap<AbortSignal, Set<() => void>>();

function onShutdown(signal: AbortSignal, callback: () => void): () => void {
  let waiters = waitersBySignal.get(signal);
  if (waiters === undefined) {
    const created = new Set<() => void>();
    waiters = created;
    waitersBySignal.set(signal, created);
    signal.addEventListener('abort', () => {
      for (const waiter of [...created]) waiter();
      created.clear();
    }, { once: true });
  }
  waiters.add(callback);
  return () => waiters.delete(callback);
}

/**
 * Parks a long-poll Fetch (KIP-227 sessionless fetch, `MaxWaitMs`): resolves when data is appended
 * to any of `logs`, after `maxWaitMs`, or when the broker starts shutting down, whichever comes
 * first (or when `alsoWakeOn` calls back). Every listener and the timer are removed on the way out.
 */
export function waitForAppend(logs: readonly PartitionLog[], maxWaitMs: number, closing: AbortSignal, alsoWakeOn?: (wake: () => void) => () => void): Promise<WaitOutcome> {
  if (closing.aborted) return Promise.resolve('closing');
  return new Promise((resolve) => {
    const cancels: Array<() => void> = [];
    let settled = false;
    const settle = (outcome: WaitOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const cancel of cancels) cancel();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle('timeout'), Math.max(0, maxWaitMs));
    cancels.push(onShutdown(closing, () => settle('closing')));
    // A paused partition resumed (fault injection): look again as if data had arrived.
    if (alsoWakeOn !== undefined) cancels.push(alsoWakeOn(() => settle('appended')));
    for (const log of logs) {
      cancels.push(log.onceAppended(() => settle('appended')));
      if (settled) break;
    }
  });
}
