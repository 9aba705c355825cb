/**
 * Continuous auto-commit (the default, `autoCommitIntervalMs: 0`): one asynchronous OffsetCommit of
 * everything processed goes out as soon as the consumer has caught up (every record it fetched
 * has been handled) and no auto-commit is in flight; while it is still busy with fetched records,
 * at most `busyDelayMs` after the first record processed since the last commit. When a commit
 * completes, the next one covers whatever was processed meanwhile. So commits are coalesced (at
 * most one auto-commit in flight: a consumer has one group coordinator), a consumer tailing a
 * topic commits at most once per fetch, not once per partition's batch, and a consumer that
 * crashes re-delivers only what it processed since its last acknowledged commit: about one fetch
 * batch per partition, instead of up to `autoCommitIntervalMs` of records with interval commits
 * (Java's `auto.commit.interval.ms`).
 *
 * A failed commit (a rebalance in progress, a coordinator moving) is tried again after
 * `retryDelayMs`, or sooner when more records are processed after that delay.
 */
export interface ContinuousCommitHost {
  /** False once the consumer stops: nothing more is committed here (close commits for itself). */
  running(): boolean;
  /** True while a commit can be accepted (the member has a generation or epoch). */
  canCommit(): boolean;
  /** True when no fetched record waits for a handler and none is being handled. */
  caughtUp(): boolean;
  /** Commits every processed offset not yet committed; resolves with false when there was nothing to commit. */
  commitProcessed(): Promise<boolean>;
  retryDelayMs(): number;
  onError(err: unknown): void;
}

/**
 * While the consumer is busy, how long processed records may wait for their commit. Short next to
 * the time a fetch batch takes to handle (a busy consumer commits several times per batch at most),
 * long enough that a consumer draining a backlog does not commit after every partition's batch.
 */
export const BUSY_COMMIT_DELAY_MS = 10;

export class ContinuousCommitter {
  private inFlight = false;
  /** Records were processed since the last commit was sent. */
  private pending = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private busyTimer: NodeJS.Timeout | null = null;
  /** Commits acknowledged or refused so far (for tests and diagnostics). */
  completed = 0;

  constructor(
    private readonly host: ContinuousCommitHost,
    private readonly busyDelayMs = BUSY_COMMIT_DELAY_MS,
  ) {}

  /** Records were processed: commit them once the consumer catches up, or after busyDelayMs. */
  processed(): void {
    this.pending = true;
    if (this.inFlight || this.retryTimer !== null || this.busyTimer !== null || !this.host.running()) return;
    this.busyTimer = setTimeout(() => {
      this.busyTimer = null;
      this.commitNow();
    }, this.busyDelayMs);
  }

  /** The consumer handled every record it fetched: commit what it processed now. */
  caughtUp(): void {
    if (this.pending) this.commitNow();
  }

  stop(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.busyTimer !== null) clearTimeout(this.busyTimer);
    this.retryTimer = null;
    this.busyTimer = null;
  }

  private commitNow(): void {
    if (this.inFlight || this.retryTimer !== null || !this.pending || !this.host.running()) return;
    if (this.busyTimer !== null) clearTimeout(this.busyTimer);
    this.busyTimer = null;
    if (!this.host.canCommit()) {
      this.retryLater();
      return;
    }
    this.inFlight = true;
    this.pending = false;
    this.host.commitProcessed().then(
      (sent) => {
        this.inFlight = false;
        if (sent) this.completed++;
        // What was processed while that commit was in flight goes out now, or once caught up.
        this.afterCommit();
      },
      (err) => {
        this.inFlight = false;
        this.completed++;
        this.pending = true;
        this.host.onError(err);
        this.retryLater();
      },
    );
  }

  private afterCommit(): void {
    if (!this.pending) return;
    if (this.host.caughtUp()) this.commitNow();
    else {
      this.pending = false;
      this.processed();
    }
  }

  private retryLater(): void {
    if (this.retryTimer !== null || !this.host.running()) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.commitNow();
    }, this.host.retryDelayMs());
  }
}
