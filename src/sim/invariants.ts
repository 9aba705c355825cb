import type { GroupCoordinator, GroupView } from '../coordinator/index.js';
import { decodeAssignment, decodeSubscription } from '../protocol/consumer-protocol.js';
import { InvariantViolation } from './coordinator-host.js';
import type { OwnershipClaim } from './member.js';

/**
 * No partition is owned by two members of the same generation. Only claims of members the
 * coordinator still counts are considered: a fenced or expelled member may believe it owns
 * partitions until it next hears from the coordinator, which rejects its commits.
 */
export function checkExclusiveOwnership(group: GroupView | undefined, claims: readonly OwnershipClaim[]): void {
  if (group === undefined) return;
  const current = new Set(group.members.map((m) => m.memberId));
  const owners = new Map<string, string>();
  for (const c of claims) {
    if (!current.has(c.memberId)) continue;
    for (const p of c.partitions) {
      const k = `${c.generationId}/${p.topic}-${p.partition}`;
      const other = owners.get(k);
      if (other !== undefined && other !== c.memberId) {
        throw new InvariantViolation(`partition ${p.topic}-${p.partition} owned by ${other} and ${c.memberId} in generation ${c.generationId}`);
      }
      owners.set(k, c.memberId);
    }
  }
}

/**
 * A Stable consumer group has every partition of every subscribed topic assigned, exactly once,
 * in the assignments the coordinator stored.
 */
export function checkStableAssignment(group: GroupView | undefined, partitionsPerTopic: ReadonlyMap<string, number>): void {
  if (group === undefined || group.state !== 'Stable' || group.protocolType !== 'consumer') return;
  const subscribed = new Set<string>();
  const assigned = new Map<string, string>();
  for (const m of group.members) {
    for (const t of decodeSubscription(m.metadata).topics) subscribed.add(t);
    for (const t of decodeAssignment(m.assignment).assignedPartitions) {
      for (const p of t.partitions) {
        const k = `${t.topic}-${p}`;
        if (assigned.has(k)) throw new InvariantViolation(`Stable generation ${group.generationId} assigns ${k} twice`);
        assigned.set(k, m.memberId);
      }
    }
  }
  for (const topic of subscribed) {
    for (let p = 0; p < (partitionsPerTopic.get(topic) ?? 0); p++) {
      if (!assigned.has(`${topic}-${p}`)) throw new InvariantViolation(`Stable generation ${group.generationId} leaves ${topic}-${p} unassigned`);
    }
  }
}

/**
 * What a restart would load matches the live group wherever Kafka persists it: a Stable group's
 * generation, leader, protocol, members and assignments, and an Empty group's generation.
 */
export function checkDurableProjection(coordinator: GroupCoordinator, group: GroupView | undefined): void {
  if (group === undefined) return;
  const stored = coordinator.durableGroup(group.groupId);
  if (group.state === 'Stable') {
    if (stored === undefined) throw new InvariantViolation(`Stable group ${group.groupId} has no durable snapshot`);
    const live = group.members.map((m) => [m.memberId, m.groupInstanceId, m.sessionTimeoutMs, m.rebalanceTimeoutMs, m.metadata.toString('hex'), m.assignment.toString('hex')].join('|'));
    const durable = stored.members.map((m) => [m.memberId, m.groupInstanceId, m.sessionTimeoutMs, m.rebalanceTimeoutMs, m.subscription.toString('hex'), m.assignment.toString('hex')].join('|'));
    const same =
      stored.generationId === group.generationId &&
      stored.leaderId === group.leaderId &&
      stored.protocolName === group.protocolName &&
      JSON.stringify(live.sort()) === JSON.stringify(durable.sort());
    if (!same) throw new InvariantViolation(`Stable group ${group.groupId} generation ${group.generationId} differs from its durable snapshot (generation ${stored.generationId})`);
  } else if (group.state === 'Empty' && group.protocolType !== null) {
    if (stored === undefined || stored.generationId !== group.generationId || stored.members.length !== 0) {
      throw new InvariantViolation(`Empty group ${group.groupId} generation ${group.generationId} is not what its durable snapshot says`);
    }
  }
}
