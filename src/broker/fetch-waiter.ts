import type { PartitionLog } from '../storage/types.js';

export type WaitOutcome = 'appended' | 'timeout' | 'closing';

/**
 * Parks a long-poll Fetch (KIP-227 sessionless fetch, `MaxWaitMs`): resolves when data is appended
 * to any of `logs`, after `maxWaitMs`, or when the broker starts shutting down, whichever comes
 * first. Every listener and the timer are removed on the way out.
 */
export function waitForAppend(logs: readonly PartitionLog[], maxWaitMs: number, closing: AbortSignal): Promise<WaitOutcome> {
  if (closing.aborted) return Promise.resolve('closing');
  return new Promise((resolve) => {
    const cancels: Array<() => void> = [];
    let settled = false;
    const settle = (outcome: WaitOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      closing.removeEventListener('abort', onClosing);
      for (const cancel of cancels) cancel();
      resolve(outcome);
    };
    const onClosing = (): void => settle('closing');
    const timer = setTimeout(() => settle('timeout'), Math.max(0, maxWaitMs));
    closing.addEventListener('abort', onClosing, { once: true });
    for (const log of logs) {
      cancels.push(log.onceAppended(() => settle('appended')));
      if (settled) break;
    }
  });
}
