import { DurableState, GroupCoordinator, PARKED, type Completion, type CoordinatorConfig, type CoordinatorEvent, type CoordinatorRecord, type CoordinatorRequest, type TopicImage } from '../coordinator/index.js';
import { ErrorCode } from '../protocol/errors.js';
import type { OffsetCommitRequest, OffsetCommitResponseInit } from '../protocol/messages/index.js';

/** A broken invariant, with the message the run reports. */
export class InvariantViolation extends Error {
  override name = 'InvariantViolation';
}

/**
 * The simulator's stand-in for the broker shell: it owns the coordinator and its internal log,
 * appends every record before applying it and before any answer leaves, and can crash and
 * recover the coordinator from the log (optionally compacting the log first).
 */
export class SimCoordinatorHost {
  coordinator: GroupCoordinator;
  /** The internal log: every record ever persisted (or, after a compaction, a snapshot and what followed). */
  log: CoordinatorRecord[] = [];
  up = true;
  restarts = 0;
  compactions = 0;
  readonly events: CoordinatorEvent[] = [];
  /** Bumped whenever the coordinator reported a group change (events, group records): invariants need rechecking. */
  changes = 0;
  /** Committed offset per group/topic/partition as acknowledged, for the never-backwards check. */
  private readonly acknowledged = new Map<string, number>();

  constructor(
    private readonly config: Partial<CoordinatorConfig>,
    private readonly newUuid: () => string,
    nowMs: number,
    /** The topics of the simulated cluster, as the broker reports them to the coordinator. */
    private readonly topics: readonly TopicImage[] = [],
  ) {
    this.coordinator = this.boot(nowMs);
  }

  handle(request: CoordinatorRequest, nowMs: number): { response: unknown; completions: Completion[] } {
    const result = this.coordinator.handle(request, nowMs);
    this.persist(result.records);
    this.record(result.events);
    this.record(this.coordinator.afterReplay(nowMs));
    if (request.api === 'offset-commit' && result.response !== PARKED) {
      this.checkCommitsMoveForward(request.body as OffsetCommitRequest, result.response as OffsetCommitResponseInit, request.clientId);
    }
    return { response: result.response === PARKED ? undefined : result.response, completions: result.completions };
  }

  tick(nowMs: number): Completion[] {
    const result = this.coordinator.tick(nowMs);
    this.persist(result.records);
    this.record(result.events);
    this.record(this.coordinator.afterReplay(nowMs));
    return result.completions;
  }

  nextDeadlineMs(): number | null {
    return this.up ? this.coordinator.nextDeadlineMs() : null;
  }

  /** The process dies: transient state (parked requests, timers) is gone; the log stays. */
  crash(): void {
    this.coordinator.unload();
    this.up = false;
  }

  /** Restart: optionally compact the log, then rebuild from it, checking nothing durable was lost. */
  recover(nowMs: number, compact: boolean): void {
    const before = replayFingerprint(this.log);
    if (compact) {
      // What the broker's compaction does: write a snapshot of the live durable state, then drop
      // everything before it.
      const state = new DurableState();
      for (const r of this.log) state.apply(r);
      this.log = state.snapshotRecords();
      this.compactions++;
    }
    this.coordinator = this.boot(nowMs);
    if (this.coordinator.durableFingerprint() !== before) throw new InvariantViolation('recovery from the log lost or changed durable state');
    this.up = true;
    this.restarts++;
  }

  /** Replaying the whole log into a fresh state must give the live durable state. */
  checkReplayMatches(): void {
    if (replayFingerprint(this.log) !== this.coordinator.durableFingerprint()) {
      throw new InvariantViolation('replaying the log does not reproduce the live durable state');
    }
  }

  private boot(nowMs: number): GroupCoordinator {
    const c = new GroupCoordinator({ config: this.config, newUuid: this.newUuid });
    for (const r of this.log) c.replay(r);
    c.onTopicsChanged(this.topics, nowMs);
    const loaded = c.load(nowMs);
    this.coordinator = c;
    this.persist(loaded.records);
    this.record(loaded.events);
    this.changes++;
    return c;
  }

  private record(events: readonly CoordinatorEvent[]): void {
    if (events.length > 0) this.changes++;
    for (const e of events) this.events.push(e);
  }

  /** Append first, then apply: the order the broker follows. */
  private persist(records: readonly CoordinatorRecord[]): void {
    // Offsets do not affect the group-level invariants; group records do.
    if (records.some((r) => r.type !== 'offset-commit')) this.changes++;
    for (const r of records) {
      this.log.push(r);
      this.coordinator.replay(r);
    }
  }

  /**
   * Commits are fenced: one is accepted only from a current member in the group's current
   * generation, or with no generation at all while the group is Empty. And a committed offset
   * never goes backwards.
   */
  private checkCommitsMoveForward(body: OffsetCommitRequest, response: OffsetCommitResponseInit, clientId: string): void {
    const accepted = response.topics.some((t) => t.partitions.some((p) => p.errorCode === ErrorCode.NONE));
    const consumerGroup = this.coordinator.consumerGroup(body.groupId);
    if (accepted && consumerGroup !== undefined) {
      // KIP-848: only a current member at its current epoch, or anyone while the group is empty.
      const epoch = body.generationIdOrMemberEpoch;
      const member = consumerGroup.members.find((m) => m.memberId === body.memberId);
      const fenced = epoch < 0 ? consumerGroup.members.length > 0 : member === undefined || member.memberEpoch !== epoch;
      if (fenced) throw new InvariantViolation(`commit of ${clientId} (member ${body.memberId}, epoch ${epoch}) accepted by consumer group at ${member?.memberEpoch ?? 'no member'}`);
    } else if (accepted) {
      const group = this.coordinator.group(body.groupId);
      const generation = body.generationIdOrMemberEpoch;
      const fenced =
        group === undefined ||
        (generation < 0
          ? group.state !== 'Empty'
          : generation !== group.generationId || !group.members.some((m) => m.memberId === body.memberId) || group.state === 'CompletingRebalance');
      if (fenced) {
        throw new InvariantViolation(`commit of ${clientId} (member ${body.memberId}, generation ${generation}) accepted by group in ${group?.state} generation ${group?.generationId}`);
      }
    }
    response.topics.forEach((t, ti) => {
      t.partitions.forEach((p, pi) => {
        if (p.errorCode !== ErrorCode.NONE) return;
        const offset = body.topics[ti]!.partitions[pi]!.committedOffset;
        const k = `${body.groupId}/${t.name}/${p.partitionIndex}`;
        const previous = this.acknowledged.get(k);
        if (previous !== undefined && offset < previous) {
          throw new InvariantViolation(`committed offset of ${k} went backwards: ${previous} -> ${offset} (by ${clientId} member ${body.memberId} gen ${body.generationIdOrMemberEpoch})`);
        }
        this.acknowledged.set(k, offset);
      });
    });
  }
}

function replayFingerprint(log: readonly CoordinatorRecord[]): string {
  const state = new DurableState();
  for (const r of log) state.apply(r);
  return state.fingerprint();
}
