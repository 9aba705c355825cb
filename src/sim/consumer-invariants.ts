import type { ConsumerGroupView } from '../coordinator/index.js';
import { InvariantViolation } from './coordinator-host.js';
import type { OwnershipClaim } from './member.js';

/**
 * KIP-848's safety property, across epochs: no partition is owned by two members at once.
 * Claims of members the coordinator no longer counts are left out (a fenced member may believe it
 * owns partitions until it hears so; its commits are refused).
 */
export function checkConsumerOwnership(group: ConsumerGroupView | undefined, claims: readonly OwnershipClaim[]): void {
  if (group === undefined) return;
  const current = new Set(group.members.map((m) => m.memberId));
  const owners = new Map<string, string>();
  for (const c of claims) {
    if (!current.has(c.memberId)) continue;
    for (const p of c.partitions) {
      const k = `${p.topic}-${p.partition}`;
      const other = owners.get(k);
      if (other !== undefined && other !== c.memberId) throw new InvariantViolation(`partition ${k} owned by ${other} and ${c.memberId} at once`);
      owners.set(k, c.memberId);
    }
  }
}

/**
 * The coordinator's own picture: one owner per partition (assigned or being revoked), and a Stable
 * group has every subscribed partition assigned exactly as its target says.
 */
export function checkConsumerGroup(group: ConsumerGroupView | undefined, partitionsPerTopic: ReadonlyMap<string, number>): void {
  if (group === undefined) return;
  const owners = new Map<string, string>();
  for (const m of group.members) {
    for (const t of [...m.assigned, ...m.pendingRevocation]) {
      for (const p of t.partitions) {
        const k = `${t.topicName}-${p}`;
        if (owners.has(k)) throw new InvariantViolation(`coordinator gives ${k} to ${owners.get(k)} and ${m.memberId}`);
        owners.set(k, m.memberId);
      }
    }
  }
  if (group.state !== 'Stable') return;
  for (const m of group.members) {
    if (JSON.stringify(m.assigned) !== JSON.stringify(m.target)) throw new InvariantViolation(`Stable group, but ${m.memberId} owns ${JSON.stringify(m.assigned)} not its target ${JSON.stringify(m.target)}`);
  }
  const subscribed = new Set(group.members.flatMap((m) => [...m.subscribedTopicNames]));
  for (const topic of subscribed) {
    for (let p = 0; p < (partitionsPerTopic.get(topic) ?? 0); p++) {
      if (!owners.has(`${topic}-${p}`)) throw new InvariantViolation(`Stable group at epoch ${group.groupEpoch} leaves ${topic}-${p} unassigned`);
    }
  }
}

/** After the quiet tail: the group is Stable, its members are the running ones, each owning its target. */
export function checkConsumerSettled(group: ConsumerGroupView | undefined, running: readonly { name: string; claim: OwnershipClaim | null }[]): void {
  if (running.length === 0) return;
  if (group === undefined || group.state !== 'Stable') throw new InvariantViolation(`the group did not settle: ${group?.state ?? 'missing'} with ${running.length} running members`);
  const members = new Map(group.members.filter((m) => m.memberEpoch >= 0).map((m) => [m.memberId, m]));
  if (members.size !== running.length) throw new InvariantViolation(`group members ${[...members.keys()].join(',')} differ from running ${running.map((r) => r.name).join(',')}`);
  for (const r of running) {
    const m = r.claim === null ? undefined : members.get(r.claim.memberId);
    if (m === undefined || r.claim === null) throw new InvariantViolation(`${r.name} is not in the group at the end`);
    if (r.claim.generationId !== group.assignmentEpoch) throw new InvariantViolation(`${r.name} at epoch ${r.claim.generationId}, the group at ${group.assignmentEpoch}`);
    const coordinatorSays = m.assigned.flatMap((t) => t.partitions.map((p) => `${t.topicName}-${p}`)).sort();
    const memberSays = r.claim.partitions.map((p) => `${p.topic}-${p.partition}`).sort();
    if (coordinatorSays.join() !== memberSays.join()) throw new InvariantViolation(`${r.name} owns ${memberSays.join(',')} but the coordinator says ${coordinatorSays.join(',')}`);
  }
}
