import type { Clock } from '../../common/clock.js';

/**
 * The group coordinator's clock when fault injection is on: real time plus whatever the test has
 * skipped. Timers keep running in real time, so nothing waits for the test; `advance` makes the
 * coordinator's session, rebalance and join deadlines come due without waiting for them.
 */
export class GroupClock implements Clock {
  private skippedMs = 0;

  constructor(private readonly base: Clock) {}

  nowMs(): number {
    return this.base.nowMs() + this.skippedMs;
  }

  /** Time skipped so far by `advance`. */
  get skippedTotalMs(): number {
    return this.skippedMs;
  }

  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`the group clock only moves forward: got ${ms} ms`);
    this.skippedMs += ms;
    return this.nowMs();
  }
}
