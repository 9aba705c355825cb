import { duration, listPartitions, plural, refOf, tpKey, type PartitionSeries } from './series.js';
import type { DoctorInput, DoctorThresholds, Finding, PartitionRef } from './types.js';

interface AtRisk extends PartitionRef {
  /** lost: deleted before the group read them; deletable: older than retention.ms, gone at the next pass; ageing: will be soon. */
  level: 'lost' | 'deletable' | 'ageing';
  records: number;
  msLeft: number | null;
}

/**
 * Retention overtaking the group: its committed offset is below the log start (records were
 * deleted before it read them: auto.offset.reset decides where it restarts, and they are lost to
 * it), below the offset retention.ms reaches now (ListOffsets by timestamp: those records go at
 * the next retention pass), or the oldest record it has not read is close to retention.ms old.
 */
export function retentionOvertaking(input: DoctorInput, series: readonly PartitionSeries[], t: DoctorThresholds): Finding | null {
  const risks: AtRisk[] = [];
  for (const s of series) {
    const committed = s.last.committedOffset;
    if (committed === null) continue;
    const facts = input.endFacts.find((f) => f.topic === s.topic && f.partition === s.partition);
    const retentionMs = input.topics[s.topic]?.retentionMs ?? null;
    if (committed < s.last.logStartOffset) {
      risks.push({ ...refOf(s), level: 'lost', records: s.last.logStartOffset - committed, msLeft: 0 });
      continue;
    }
    const horizon = facts?.retentionHorizonOffset ?? null;
    if (horizon !== null && committed < horizon && committed < s.last.logEndOffset) {
      risks.push({ ...refOf(s), level: 'deletable', records: Math.min(horizon, s.last.logEndOffset) - committed, msLeft: 0 });
      continue;
    }
    const ts = facts?.oldestUnconsumedTimestampMs ?? null;
    if (retentionMs !== null && ts !== null && s.lagEnd !== null && s.lagEnd > 0) {
      const age = input.nowMs - ts;
      if (age >= retentionMs * t.retentionAgeShare) risks.push({ ...refOf(s), level: 'ageing', records: s.lagEnd, msLeft: Math.max(0, retentionMs - age) });
    }
  }
  if (risks.length === 0) return null;
  const lost = risks.filter((r) => r.level === 'lost');
  const deletable = risks.filter((r) => r.level === 'deletable');
  const ageing = risks.filter((r) => r.level === 'ageing');
  const lostRecords = lost.reduce((n, r) => n + r.records, 0);
  const deletableRecords = deletable.reduce((n, r) => n + r.records, 0);
  const msLeft = ageing.length === 0 ? null : Math.min(...ageing.map((r) => r.msLeft!));
  const retention = [...new Set(risks.map((r) => input.topics[r.topic]?.retentionMs ?? null))].filter((x) => x !== null) as number[];
  const title = lost.length > 0
    ? `retention deleted ${lostRecords} records the group had not read (committed offset below the log start on ${listPartitions(lost)})`
    : deletable.length > 0
      ? `${deletableRecords} unread records on ${plural(deletable.length, 'partition')} are past retention and go at the next retention pass (${listPartitions(deletable)})`
      : `the oldest unread record is within ${duration(msLeft!)} of retention on ${listPartitions(ageing)}`;
  return {
    kind: 'retention-overtaking',
    severity: lost.length > 0 || deletable.length > 0 ? 'critical' : 'warning',
    title,
    evidence: {
      lostRecords,
      lostPartitions: lost.length,
      deletableRecords,
      deletablePartitions: deletable.length,
      ageingPartitions: ageing.length,
      msUntilRetention: msLeft,
      retentionMs: retention.length === 0 ? null : Math.min(...retention),
      committedOffsets: Object.fromEntries(risks.map((r) => {
        const s = series.find((x) => x.topic === r.topic && x.partition === r.partition)!;
        return [tpKey(r.topic, r.partition), s.last.committedOffset!];
      })),
      logStartOffsets: Object.fromEntries(risks.map((r) => [tpKey(r.topic, r.partition), series.find((x) => x.topic === r.topic && x.partition === r.partition)!.last.logStartOffset])),
    },
    partitions: risks.map(refOf),
    members: [],
    fix: [
      'consume faster (see the other findings) or raise the topic\'s retention.ms / retention.bytes to buy time',
      lost.length > 0
        ? 'the group restarts from auto.offset.reset on those partitions: earliest skips what was deleted, latest skips everything unread; reset deliberately (samsa groups reset-offsets) and replay from the source if the records matter'
        : 'alert on the age of the oldest unread record (samsa lag shows LAG-SECONDS) well below retention.ms',
    ],
    impactRecords: lostRecords + deletableRecords + ageing.reduce((n, r) => n + r.records, 0),
  };
}
