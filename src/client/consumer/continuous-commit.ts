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
 * A consumer at high volume commits at most every `SPACED_COMMIT_INTERVAL_MS` instead: when more
 * than `SPACED_ABOVE_RECORDS` processed records wait for their commit at the moment it would go out,
 * or when it is draining a backlog (its latest fetch left records behind at the broker). There a
 * commit per fetch costs a round trip and a coordinator log append for each few thousand records,
 * about a tenth of the throughput of 100-byte records on two cores, while spacing them keeps what a
 * crash re-delivers to that interval's worth of processing. A consumer handling fewer records per
 * fetch commits once per fetch as above, so a crash re-delivers about one fetch batch per partition.
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
  /** True when the latest fetch of some partition left records behind at the broker (a backlog). */
  lagging(): boolean;
  /** About how many processed records are not yet covered by an acknowledged commit. */
  uncommittedRecords(): number;
  nowMs(): number;
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

/**
 * At high volume, the least time between two commits. With it, 1,000,000 records of 100 B end to
 * end on two cores took about 70 commits instead of 370, and ran at the rate of commits every 5 s
 * within the noise (5% more broker and consumer CPU per record); a crash re-delivers at most about
 * this long of processing.
 */
export const SPACED_COMMIT_INTERVAL_MS = 100;

/**
 * Uncommitted records above which commits are spaced. A consumer tailing a topic at a few
 * thousand records a second handles a hundred or so per fetch and commits after each; one
 * handling more per fetch than this is running at tens of thousands a second.
 */
export const SPACED_ABOVE_RECORDS = 1000;

export class ContinuousCommitter {
  private inFlight = false;
  /** Records were processed since the last commit was sent. */
  private pending = false;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Sends the next commit: BUSY_COMMIT_DELAY_MS into a busy stretch, or when a spaced commit is due. */
  private delayTimer: NodeJS.Timeout | null = null;
  /** When the latest commit was sent (host.nowMs). */
  private lastSentAtMs = Number.NEGATIVE_INFINITY;
  /** Commits acknowledged or refused so far (for tests and diagnostics). */
  completed = 0;

  constructor(
    private readonly host: ContinuousCommitHost,
    private readonly busyDelayMs = BUSY_COMMIT_DELAY_MS,
    private readonly spacedIntervalMs = SPACED_COMMIT_INTERVAL_MS,
    private readonly spacedAboveRecords = SPACED_ABOVE_RECORDS,
  ) {}

  /** Records were processed: commit them once the consumer catches up, or after busyDelayMs. */
  processed(): void {
    this.pending = true;
    if (this.inFlight || this.retryTimer !== null || this.delayTimer !== null || !this.host.running()) return;
    this.commitIn(this.busyDelayMs);
  }

  /** The consumer handled every record it fetched: commit what it processed now. */
  caughtUp(): void {
    if (this.pending) this.commitNow();
  }

  stop(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.delayTimer !== null) clearTimeout(this.delayTimer);
    this.retryTimer = null;
    this.delayTimer = null;
  }

  private commitIn(delayMs: number): void {
    if (this.delayTimer !== null) clearTimeout(this.delayTimer);
    this.delayTimer = setTimeout(() => {
      this.delayTimer = null;
      this.commitNow();
    }, delayMs);
  }

  private commitNow(): void {
    if (this.inFlight || this.retryTimer !== null || !this.pending || !this.host.running()) return;
    const spaced = this.host.lagging() || this.host.uncommittedRecords() > this.spacedAboveRecords;
    const spacingLeftMs = spaced ? this.lastSentAtMs + this.spacedIntervalMs - this.host.nowMs() : 0;
    if (spacingLeftMs > 0) {
      this.commitIn(spacingLeftMs);
      return;
    }
    if (this.delayTimer !== null) clearTimeout(this.delayTimer);
    this.delayTimer = null;
    if (!this.host.canCommit()) {
      this.retryLater();
      return;
    }
    this.inFlight = true;
    this.pending = false;
    this.lastSentAtMs = this.host.nowMs();
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
