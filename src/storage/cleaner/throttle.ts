import { setTimeout as sleep } from 'node:timers/promises';

/** Shortest pause worth taking; smaller debts are carried into the next check. */
const MIN_SLEEP_MS = 5;

/**
 * Kafka's cleaner Throttler (`log.cleaner.io.max.bytes.per.second`): the cleaner reports every
 * byte it reads and writes, and sleeps whenever it is ahead of the allowed rate. Real time, not
 * the broker's clock: it paces disk I/O.
 */
export class Throttle {
  private periodStartMs = performance.now();
  private periodBytes = 0;
  /** Milliseconds spent sleeping, for the cleaner's statistics. */
  sleptMs = 0;

  constructor(readonly bytesPerSecond: number) {}

  async maybeThrottle(bytes: number): Promise<void> {
    if (!Number.isFinite(this.bytesPerSecond)) return;
    this.periodBytes += bytes;
    const elapsedMs = performance.now() - this.periodStartMs;
    const neededMs = (this.periodBytes / this.bytesPerSecond) * 1000;
    const sleepMs = neededMs - elapsedMs;
    if (sleepMs < MIN_SLEEP_MS) {
      // Long periods forget their early slack, so a burst after an idle spell is still paced.
      if (elapsedMs > 1000 && sleepMs < 0) this.reset();
      return;
    }
    await sleep(sleepMs);
    this.sleptMs += sleepMs;
    this.reset();
  }

  private reset(): void {
    this.periodStartMs = performance.now();
    this.periodBytes = 0;
  }
}
