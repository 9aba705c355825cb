/**
 * Continuous auto-commit (the default, `autoCommitIntervalMs: 0`): as soon as records are
 * processed and no auto-commit is in flight, one asynchronous OffsetCommit of everything processed
 * goes out; when it completes, the next one covers whatever was processed meanwhile. So commits
 * are coalesced (at most one auto-commit in flight: a consumer has one group coordinator), they
 * cost one request per round trip at most, and a consumer that crashes re-delivers only what it
 * processed since its last acknowledged commit: about one fetch batch per partition, instead of
 * up to `autoCommitIntervalMs` of records with interval commits (Java's `auto.commit.interval.ms`).
 *
 * A failed commit (a rebalance in progress, a coordinator moving) is tried again after
 * `retryDelayMs`, or sooner when more records are processed after that delay.
 */
export interface ContinuousCommitHost {
  /** False once the consumer stops: nothing more is committed here (close commits for itself). */
  running(): boolean;
  /** True while a commit can be accepted (the member has a generation or epoch). */
  canCommit(): boolean;
  /** Commits every processed offset not yet committed; resolves with false when there was nothing to commit. */
  commitProcessed(): Promise<boolean>;
  retryDelayMs(): number;
  onError(err: unknown): void;
}

export class ContinuousCommitter {
  private inFlight = false;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Commits acknowledged or refused so far (for tests and diagnostics). */
  completed = 0;

  constructor(private readonly host: ContinuousCommitHost) {}

  /** Records were processed: commit them now unless a commit is already on its way. */
  processed(): void {
    if (this.inFlight || this.retryTimer !== null || !this.host.running()) return;
    if (!this.host.canCommit()) {
      this.retryLater();
      return;
    }
    this.inFlight = true;
    this.host.commitProcessed().then(
      (sent) => {
        this.inFlight = false;
        if (sent) {
          this.completed++;
          // What was processed while that commit was in flight goes out now.
          this.processed();
        }
      },
      (err) => {
        this.inFlight = false;
        this.completed++;
        this.host.onError(err);
        this.retryLater();
      },
    );
  }

  stop(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private retryLater(): void {
    if (this.retryTimer !== null || !this.host.running()) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.processed();
    }, this.host.retryDelayMs());
  }
}
