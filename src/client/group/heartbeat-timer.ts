/**
 * The three clocks of a classic group member (KIP-62): when the next heartbeat is due, when the
 * session would expire for lack of successful heartbeats, and when the application last showed
 * progress (poll). Pure: every method takes `nowMs`.
 */
export class HeartbeatTimer {
  private lastSentMs = 0;
  private lastReceivedMs = 0;
  private nextDueMs = 0;
  private lastPollMs = 0;
  inFlight = false;

  constructor(
    private readonly heartbeatIntervalMs: number,
    private readonly sessionTimeoutMs: number,
    private readonly maxPollIntervalMs: number,
    private readonly retryBackoffMs: number,
  ) {}

  /** The heartbeat, session and poll clocks start over (after JoinGroup or a coordinator change), as Java's Heartbeat.resetTimeouts. */
  resetTimeouts(nowMs: number): void {
    this.lastReceivedMs = nowMs;
    this.lastPollMs = nowMs;
    this.nextDueMs = nowMs + this.heartbeatIntervalMs;
    this.inFlight = false;
  }

  sent(nowMs: number): void {
    this.lastSentMs = nowMs;
    this.inFlight = true;
    this.nextDueMs = nowMs + this.heartbeatIntervalMs;
  }

  /** A heartbeat answered NONE (or REBALANCE_IN_PROGRESS, which also keeps the session). */
  received(nowMs: number): void {
    this.inFlight = false;
    this.lastReceivedMs = nowMs;
  }

  /** A heartbeat failed: try again after the retry backoff instead of a full interval. */
  failed(nowMs: number): void {
    this.inFlight = false;
    this.nextDueMs = nowMs + this.retryBackoffMs;
  }

  /** The in-flight heartbeat was dropped (coordinator lost); the next one is due now. */
  abandon(nowMs: number): void {
    this.inFlight = false;
    this.nextDueMs = nowMs;
  }

  shouldHeartbeat(nowMs: number): boolean {
    return !this.inFlight && nowMs >= this.nextDueMs;
  }

  nextHeartbeatMs(): number {
    return this.inFlight ? Number.POSITIVE_INFINITY : this.nextDueMs;
  }

  sessionDeadlineMs(): number {
    return this.lastReceivedMs + this.sessionTimeoutMs;
  }

  sessionExpired(nowMs: number): boolean {
    return nowMs > this.sessionDeadlineMs();
  }

  poll(nowMs: number): void {
    this.lastPollMs = nowMs;
  }

  pollDeadlineMs(): number {
    return this.lastPollMs + this.maxPollIntervalMs;
  }

  pollExpired(nowMs: number): boolean {
    return nowMs > this.pollDeadlineMs();
  }

  lastHeartbeatSentMs(): number {
    return this.lastSentMs;
  }
}
