import { listPartitions, membersKnown, perSec, plural, refOf, round2, spanMs, type PartitionSeries } from './series.js';
import type { DoctorInput, DoctorThresholds, Finding } from './types.js';

/**
 * Too few consumers: the group consumes slower than its topics are produced to, the lag grows,
 * and every member that owns partitions is busy the whole window (each has a partition that never
 * caught up). Adding consumers helps only up to one per partition; past that the partition count
 * or the handler is the limit. Partitions whose commits never moved are left to the stall and
 * no-owner findings: they are not a capacity problem.
 */
export function tooFewConsumers(input: DoctorInput, series: readonly PartitionSeries[], t: DoctorThresholds): Finding | null {
  const ms = spanMs(input);
  const judged = series.filter((s) => s.lagStart !== null && s.lagEnd !== null);
  if (ms <= 0 || judged.reduce((n, s) => n + s.produced, 0) < t.minRecordsForRates) return null;
  // Per partition, between its first and last commit when it committed twice or more, else over the window.
  let productionPerSec = 0;
  let consumptionPerSec = 0;
  for (const s of judged) {
    const span = s.betweenCommits ?? { produced: s.produced, consumed: s.consumed, ms };
    if (span.ms <= 0) continue;
    productionPerSec += (span.produced * 1000) / span.ms;
    consumptionPerSec += (span.consumed * 1000) / span.ms;
  }
  if (consumptionPerSec === 0 || consumptionPerSec >= productionPerSec * t.fallingBehindRatio) return null;
  const lagStart = judged.reduce((n, s) => n + s.lagStart!, 0);
  const lagEnd = judged.reduce((n, s) => n + s.lagEnd!, 0);
  if (lagEnd <= lagStart) return null;
  const last = input.samples[input.samples.length - 1]!;
  let busyMembers: string[] = [];
  if (membersKnown(input)) {
    const working = last.members!.filter((m) => Object.values(m.assignment).some((ps) => ps.length > 0));
    // Busy: a partition it owns now had records waiting in every sample (it never caught up),
    // whoever owned it before (a member that just joined took over a backlog).
    const busy = (memberId: string): boolean => series.some((s) => s.last.owner === memberId
      && s.points.every((pt) => pt.p.committedOffset === null || pt.p.logEndOffset > pt.p.committedOffset));
    if (working.length === 0 || !working.every((m) => busy(m.memberId))) return null;
    busyMembers = working.map((m) => m.memberId).sort();
  }
  const partitions = series.length;
  const members = busyMembers.length;
  const needed = members === 0 ? null : Math.ceil((members * productionPerSec) / consumptionPerSec);
  productionPerSec = round2(productionPerSec);
  consumptionPerSec = round2(consumptionPerSec);
  const fix: string[] = [];
  if (needed !== null && members < partitions) {
    fix.push(`run ${Math.min(needed, partitions)} consumers instead of ${members} (${plural(members, 'consumer')} keep${members === 1 ? 's' : ''} up with ${round2(consumptionPerSec)}/s; more than ${partitions}, one per partition, would sit idle)`);
  }
  if (needed === null || needed > partitions || members >= partitions) {
    fix.push(`every one of the ${partitions} partitions already has its own consumer: add partitions (CreatePartitions) and consumers together, or make each consumer faster`);
  }
  fix.push('make the handler faster: batch its writes, do I/O concurrently (partitionsConsumedConcurrently, eachBatch), move slow work out of the consume loop');
  const severity = consumptionPerSec < productionPerSec * t.criticalRatio ? 'critical' : 'warning';
  return {
    kind: 'too-few-consumers',
    severity,
    title: `consumption ${consumptionPerSec}/s is below production ${productionPerSec}/s: lag grew from ${lagStart} to ${lagEnd}${members > 0 ? ` with all ${plural(members, 'member')} busy` : ''}`,
    evidence: {
      productionPerSec, consumptionPerSec,
      lagStart, lagEnd,
      lagGrowthPerSec: perSec(lagEnd - lagStart, ms),
      windowMs: ms,
      members: membersKnown(input) ? members : null,
      partitions,
      consumersNeeded: needed === null ? null : Math.min(needed, partitions),
    },
    partitions: judged.map(refOf),
    members: busyMembers,
    fix,
    impactRecords: lagEnd,
  };
}

/**
 * More members than partitions: the assignor gives some members nothing, and they only wait to
 * take over. Judged on the last sample of a settled group (Stable), naming the idle members.
 */
export function idleMembers(input: DoctorInput, series: readonly PartitionSeries[]): Finding | null {
  if (!membersKnown(input)) return null;
  const last = input.samples[input.samples.length - 1]!;
  if (last.state !== 'Stable') return null;
  const idle = last.members!.filter((m) => Object.values(m.assignment).every((ps) => ps.length === 0));
  if (idle.length === 0) return null;
  const partitions = series.length;
  const members = last.members!.length;
  const names = idle.map((m) => `${m.clientId} (${m.memberId}, ${m.clientHost})`).sort();
  const fix = members > partitions
    ? [`run at most ${partitions} consumers for ${plural(partitions, 'partition')}, or add partitions if you need ${members} consumers working`]
    : [`the group has enough partitions (${partitions}) for ${members} members: check that every member subscribes to the same topics (${listPartitions(series)})`];
  return {
    kind: 'idle-members',
    severity: 'warning',
    title: `${plural(idle.length, 'member')} of ${members} own no partition (${plural(partitions, 'partition')} to share)`,
    evidence: { members, partitions, idleMembers: idle.length, idle: names },
    partitions: [],
    members: idle.map((m) => m.memberId).sort(),
    fix,
    impactRecords: 0,
  };
}
