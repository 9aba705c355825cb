/**
 * A retry or backoff delay. It keeps the process alive on purpose: a script awaiting a send that
 * is between retries must not exit with the promise unsettled.
 */
export function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
