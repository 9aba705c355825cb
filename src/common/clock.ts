/**
 * The one way code outside the pure cores learns the time. Pure cores never read a clock: they take
 * `nowMs` as an argument, and the shells pass `clock.nowMs()` in, so tests and the simulator can
 * drive virtual time.
 */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that moves only when told to, for tests and the simulator. */
export class ManualClock implements Clock {
  constructor(private currentMs = 0) {}

  nowMs(): number {
    return this.currentMs;
  }

  advance(ms: number): number {
    this.currentMs += ms;
    return this.currentMs;
  }

  set(ms: number): void {
    this.currentMs = ms;
  }
}
