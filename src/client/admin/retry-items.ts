import { ErrorCode, isRetriable } from '../../protocol/errors.js';
import { KafkaError, type KafkaErrorContext } from '../errors.js';
import type { Cluster } from '../net/cluster.js';
import { sleepMs } from '../net/sleep.js';

export interface ItemOutcome<R> {
  code: number;
  detail?: string | null;
  result?: R;
}

/**
 * Runs an admin operation over many items (topics, partitions, groups) whose answers carry one
 * error code each. Items that fail with a retriable code are sent again, alone, after a backoff
 * (so a topic created on the first try is not re-created on the second); the first item with a
 * non-retriable code, or out of retries, fails the whole call with a KafkaError naming it.
 */
export async function retryItems<I, R>(
  cluster: Cluster,
  items: readonly I[],
  keyOf: (item: I) => string,
  send: (pending: I[]) => Promise<Map<string, ItemOutcome<R>>>,
  where: (item: I) => KafkaErrorContext,
  onRetriable?: (codes: number[], items: I[]) => void | Promise<void>,
): Promise<R[]> {
  const results = new Map<string, R>();
  let pending = [...items];
  for (let attempt = 0; ; attempt++) {
    const outcomes = await send(pending);
    const again: I[] = [];
    const codes: number[] = [];
    for (const item of pending) {
      const o = outcomes.get(keyOf(item)) ?? { code: ErrorCode.UNKNOWN_SERVER_ERROR, detail: 'no answer for this item' };
      if (o.code === ErrorCode.NONE) {
        results.set(keyOf(item), o.result as R);
      } else if (isRetriable(o.code) && attempt < cluster.options.retries) {
        again.push(item);
        codes.push(o.code);
      } else {
        throw new KafkaError(o.code, { ...where(item), detail: o.detail });
      }
    }
    if (again.length === 0) return items.map((i) => results.get(keyOf(i))!);
    pending = again;
    await onRetriable?.(codes, again);
    await sleepMs(cluster.retryDelayMs(attempt));
  }
}

/** Groups items by a numeric key (a leader or coordinator node id). */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const list = out.get(k);
    if (list === undefined) out.set(k, [item]);
    else list.push(item);
  }
  return out;
}
