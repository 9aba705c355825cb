import { DeadlineQueue } from '../common/deadline-queue.js';

/** Everything the coordinator waits for, one named deadline each. */
export type TimerTarget =
  /** session.timeout.ms of a member: removed unless a heartbeat (or a parked request) kept it alive. */
  | { readonly kind: 'session'; readonly groupId: string; readonly memberId: string }
  /** The 5-minute guard on a member whose first join phase has not completed. */
  | { readonly kind: 'new-member'; readonly groupId: string; readonly memberId: string }
  /** A member id handed out with MEMBER_ID_REQUIRED that was never used (KIP-394). */
  | { readonly kind: 'pending'; readonly groupId: string; readonly memberId: string }
  /** End of a join phase: the group's rebalance timeout. */
  | { readonly kind: 'join'; readonly groupId: string }
  /** group.initial.rebalance.delay.ms for a group leaving Empty, with what may still extend it. */
  | { readonly kind: 'initial-delay'; readonly groupId: string; readonly delayMs: number; readonly remainingMs: number }
  /** Members that have not sent SyncGroup by then are removed (rebalance timeout). */
  | { readonly kind: 'sync'; readonly groupId: string; readonly generationId: number }
  /** Periodic offset retention check (offsets.retention.check.interval.ms). */
  | { readonly kind: 'offsets-retention' }
  /** A consumer group member (KIP-848) is fenced unless it heartbeats within group.consumer.session.timeout.ms. */
  | { readonly kind: 'consumer-session'; readonly groupId: string; readonly memberId: string }
  /** A consumer group member must revoke within its rebalance timeout, or it is fenced at that epoch. */
  | { readonly kind: 'consumer-rebalance'; readonly groupId: string; readonly memberId: string; readonly memberEpoch: number }
  /** A classic member of a consumer group told to rejoin must send JoinGroup within its rebalance timeout. */
  | { readonly kind: 'consumer-join'; readonly groupId: string; readonly memberId: string }
  /** A classic member of a consumer group must send SyncGroup within its rebalance timeout after JoinGroup. */
  | { readonly kind: 'consumer-sync'; readonly groupId: string; readonly memberId: string };

/** The unique name of a deadline, e.g. `session:"orders":"consumer-1-…"`. */
export function timerKey(target: TimerTarget): string {
  switch (target.kind) {
    case 'session':
    case 'new-member':
    case 'pending':
      return `${target.kind}:${JSON.stringify(target.groupId)}:${JSON.stringify(target.memberId)}`;
    case 'join':
    case 'initial-delay':
      // One join deadline per group, whichever flavour it is.
      return `join:${JSON.stringify(target.groupId)}`;
    case 'sync':
      return `sync:${JSON.stringify(target.groupId)}`;
    case 'offsets-retention':
      return 'offsets-retention';
    case 'consumer-session':
    case 'consumer-rebalance':
    case 'consumer-join':
    case 'consumer-sync':
      return `${target.kind}:${JSON.stringify(target.groupId)}:${JSON.stringify(target.memberId)}`;
  }
}

/** A DeadlineQueue that remembers what each deadline is for. */
export class CoordinatorTimers {
  private readonly queue = new DeadlineQueue();
  private readonly targets = new Map<string, TimerTarget>();

  set(target: TimerTarget, deadlineMs: number): void {
    const key = timerKey(target);
    this.targets.set(key, target);
    this.queue.set(key, deadlineMs);
  }

  cancel(target: TimerTarget): void {
    const key = timerKey(target);
    this.targets.delete(key);
    this.queue.delete(key);
  }

  cancelMember(groupId: string, memberId: string): void {
    for (const kind of ['session', 'new-member', 'pending'] as const) this.cancel({ kind, groupId, memberId });
  }

  deadlineOf(target: TimerTarget): number | undefined {
    return this.queue.get(timerKey(target));
  }

  nextDeadlineMs(): number | null {
    return this.queue.nextDeadlineMs();
  }

  /**
   * Removes and returns the earliest target due at `nowMs`, or null. One at a time, because a
   * handler may cancel or move deadlines that are due at the same instant.
   */
  popExpired(nowMs: number): TimerTarget | null {
    const next = this.queue.nextDeadlineMs();
    if (next === null || next > nowMs) return null;
    const [first, ...rest] = this.queue.popExpired(next);
    for (const key of rest) this.queue.set(key, next);
    const target = this.targets.get(first!)!;
    this.targets.delete(first!);
    return target;
  }

  get size(): number {
    return this.queue.size;
  }
}
