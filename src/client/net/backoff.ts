/**
 * Exponential backoff with jitter, as Kafka's clients compute reconnect and retry delays
 * (KIP-144, KIP-580): `initialMs * 2^attempt`, capped at `maxMs`, then multiplied by a random
 * factor in [0.8, 1.2) so that many clients do not retry in lock-step. Pure: randomness comes in.
 */
export function backoffMs(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  if (initialMs <= 0) return 0;
  const exp = Math.min(maxMs, initialMs * Math.pow(2, Math.max(0, Math.min(attempt, 30))));
  const jittered = exp * (0.8 + 0.4 * random());
  return Math.max(0, Math.min(Math.round(jittered), Math.round(maxMs * 1.2)));
}
