import type { JoinGroupResponseInit, SyncGroupResponseInit } from '../protocol/messages/index.js';
import type { CoordinatorConfig } from './config.js';
import type { DurableState } from './durable-state.js';
import type { TopicsImage } from './consumer/topics.js';
import type { ClassicGroup } from './group.js';
import type { ClassicGroupMember, ParkedRequest } from './member.js';
import type { CoordinatorRecord } from './records.js';
import type { CoordinatorTimers } from './timers.js';
import type { Completion, CoordinatorEvent, GroupState } from './types.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What one call of the core accumulates: records to persist, completions, events. */
export class Output {
  readonly records: CoordinatorRecord[] = [];
  readonly completions: Completion[] = [];
  readonly events: CoordinatorEvent[] = [];

  completeJoin(parked: ParkedRequest, response: JoinGroupResponseInit): void {
    this.completions.push({ requestId: parked.requestId, api: 'join', response });
  }

  completeSync(parked: ParkedRequest, response: SyncGroupResponseInit): void {
    this.completions.push({ requestId: parked.requestId, api: 'sync', response });
  }

  /** Takes out the completion of one request, if this call produced it. */
  takeCompletion(requestId: number): Completion | undefined {
    const i = this.completions.findIndex((c) => c.requestId === requestId);
    if (i < 0) return undefined;
    return this.completions.splice(i, 1)[0];
  }
}

/** Everything a transition needs; one per call of the core. */
export interface Ctx {
  readonly config: CoordinatorConfig;
  readonly groups: Map<string, ClassicGroup>;
  readonly timers: CoordinatorTimers;
  readonly durable: DurableState;
  readonly out: Output;
  readonly nowMs: number;
  /** A fresh UUID for member ids (crypto in the broker, the seeded PRNG in the simulator). */
  readonly newUuid: () => string;
  /** The topics that exist, as the broker last reported them (consumer groups assign from it). */
  readonly topics: TopicsImage;
}

export function emit(ctx: Ctx, event: DistributiveOmit<CoordinatorEvent, 'atMs'>): void {
  ctx.out.events.push({ ...event, atMs: ctx.nowMs } as CoordinatorEvent);
}

/** Moves the group to `target` and reports it. */
export function transition(ctx: Ctx, group: ClassicGroup, target: GroupState): void {
  const from = group.state;
  group.transitionTo(target, ctx.nowMs);
  emit(ctx, { type: 'state-changed', groupId: group.groupId, from, to: target, generationId: group.generationId });
}

/** Answers the member's parked JoinGroup, if it has one. */
export function completeParkedJoin(ctx: Ctx, group: ClassicGroup, member: ClassicGroupMember, response: JoinGroupResponseInit): boolean {
  const parked = group.setParkedJoin(member, null);
  if (parked === null) return false;
  ctx.out.completeJoin(parked, response);
  return true;
}

/** Answers the member's parked SyncGroup, if it has one. */
export function completeParkedSync(ctx: Ctx, member: ClassicGroupMember, response: SyncGroupResponseInit): boolean {
  const parked = member.awaitingSync;
  if (parked === null) return false;
  member.awaitingSync = null;
  ctx.out.completeSync(parked, response);
  return true;
}

/** The answer Kafka gives to a JoinGroup that fails before the member is known. */
export function joinError(errorCode: number, memberId = ''): JoinGroupResponseInit {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

export function syncError(errorCode: number): SyncGroupResponseInit {
  return { errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
}

/** Appends a record to the output; the shell persists it, then applies it with `replay`. */
export function persist(ctx: Ctx, record: CoordinatorRecord): void {
  ctx.out.records.push(record);
}
