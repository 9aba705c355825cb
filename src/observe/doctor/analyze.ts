import { idleMembers, tooFewConsumers } from './capacity.js';
import { commitsLagProcessing } from './commits.js';
import { noOwner, stalledPartitions } from './progress.js';
import { consideredEntries, pausingRebalances, pollIntervalExceeded, rebalanceChurn } from './rebalances.js';
import { retentionOvertaking } from './retention.js';
import { membersKnown, partitionSeries, perSec, spanMs } from './series.js';
import { skew } from './skew.js';
import { DEFAULT_THRESHOLDS, type DoctorInput, type DoctorReport, type DoctorThresholds, type Finding, type FindingKind, type Severity } from './types.js';

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** Within a severity and an equal number of records: what stops consumption before what slows it. */
const KIND_RANK: Record<FindingKind, number> = {
  'no-owner': 0, 'stalled-partition': 1, 'retention-overtaking': 2, 'too-few-consumers': 3, 'poll-interval-exceeded': 4,
  'rebalance-churn': 5, 'skew': 6, 'commits-lag-processing': 7, 'idle-members': 8,
};

export function compareFindings(a: Finding, b: Finding): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.impactRecords - a.impactRecords || KIND_RANK[a.kind] - KIND_RANK[b.kind];
}

/**
 * The doctor's diagnosis: every finding the samples support, ordered by impact, and the exit
 * code (0 healthy or info only, 1 a warning, 2 something critical). Pure: the same input gives
 * the same report.
 */
export function diagnose(input: DoctorInput, thresholds: Partial<DoctorThresholds> = {}): DoctorReport {
  if (input.samples.length === 0) throw new RangeError('diagnose needs at least one sample');
  const t = { ...DEFAULT_THRESHOLDS, ...thresholds };
  const series = partitionSeries(input.samples);
  const findings = [
    noOwner(input, series),
    stalledPartitions(input, series),
    retentionOvertaking(input, series, t),
    tooFewConsumers(input, series, t),
    pollIntervalExceeded(input),
    rebalanceChurn(input, t),
    skew(input, series, t),
    commitsLagProcessing(input, series, t),
    idleMembers(input, series),
  ].filter((f): f is Finding => f !== null).sort(compareFindings);
  const worst = findings.reduce<Severity | null>((w, f) => (w === null || SEVERITY_RANK[f.severity] < SEVERITY_RANK[w] ? f.severity : w), null);
  const status = worst === 'critical' ? 'critical' : worst === 'warning' ? 'warning' : 'healthy';
  const first = input.samples[0]!;
  const last = input.samples[input.samples.length - 1]!;
  const ms = spanMs(input);
  const committed = series.filter((s) => s.lagStart !== null && s.lagEnd !== null);
  const notes = [...input.notes];
  if (!membersKnown(input)) notes.push('the cluster cannot describe groups: owners, idle members, stalls and unowned partitions are not judged');
  if (input.samples.length < 3) notes.push('fewer than 3 samples: stalls are not judged; use a longer --window');
  return {
    group: input.groupId,
    status,
    exitCode: status === 'critical' ? 2 : status === 'warning' ? 1 : 0,
    window: { startMs: first.atMs, endMs: last.atMs, samples: input.samples.length, sampleIntervalMs: input.sampleIntervalMs },
    timelineSource: input.timeline?.source ?? 'none',
    summary: {
      state: last.state,
      protocol: last.protocol,
      members: last.members === null ? null : last.members.length,
      partitions: series.length,
      productionPerSec: perSec(series.reduce((n, s) => n + s.produced, 0), ms),
      consumptionPerSec: committed.length === 0 ? null : perSec(committed.reduce((n, s) => n + s.consumed, 0), ms),
      lagStart: committed.length === 0 ? null : committed.reduce((n, s) => n + s.lagStart!, 0),
      lagEnd: committed.length === 0 ? null : committed.reduce((n, s) => n + s.lagEnd!, 0),
      rebalances: input.timeline === null ? null : pausingRebalances(consideredEntries(input)).length,
    },
    findings,
    notes,
  };
}
