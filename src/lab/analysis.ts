import type { TimelineEntry } from '../common/timeline/index.js';
import type { DeliveryLog } from './delivery-log.js';
import { LAG_SAMPLE_MS, type LabEvent, type LabKnobs, type LabRunResult, type MemberStats, type OwnershipSegment, type PartitionStats } from './types.js';

/** Everything a run observed, before any number is computed (absolute times in ms). */
export interface RunFacts {
  scenario: string;
  variant: string;
  knobs: LabKnobs;
  originMs: number;
  producingEndedMs: number;
  endMs: number;
  endOffsets: Array<{ partition: number; offset: number }>;
  initialPartitions: number;
  log: DeliveryLog;
  /** Times relative to originMs. */
  events: LabEvent[];
  timeline: TimelineEntry[];
  lagSeries: number[];
  throughputSeries: number[];
  members: Array<{
    name: string;
    memberName: string;
    view: { partitions: number[]; memberIds: Set<string>; pollTimeouts: number; final: boolean } | null;
    exit: MemberStats['exit'];
    exitedAtMs: number;
    started: boolean;
  }>;
  /** Generations the members reported after the scenario began. */
  generations: ReadonlySet<number>;
  generationsAtOrigin: number;
}

/** A window before the first disturbance in which the group is consuming steadily. */
const WARM_UP_MS = 500;
/** How far back a partition's owner is looked for before a disturbance. */
const OWNER_LOOKBACK_MS = 1000;

export function analyzeRun(f: RunFacts): LabRunResult {
  const { log } = f;
  const produced = f.endOffsets.reduce((a, o) => a + o.offset, 0);
  // Actions within a second of each other (a kill and a freeze) count as one disturbance.
  const disturbances: number[] = [];
  for (const e of f.events) {
    const at = f.originMs + e.atMs;
    if (e.disturbance && (disturbances.length === 0 || at - disturbances[disturbances.length - 1]! >= OWNER_LOOKBACK_MS)) disturbances.push(at);
  }
  const firstDisturbance = disturbances[0] ?? f.originMs + WARM_UP_MS;
  const partitionCount = f.endOffsets.length;

  const partitions: PartitionStats[] = [];
  for (let p = 0; p < partitionCount; p++) {
    const owners: string[] = [];
    for (const b of log.batches) if (b.partition === p && owners[owners.length - 1] !== b.member) owners.push(b.member);
    const staying = p < f.initialPartitions && disturbances.length > 0 && disturbances.every((d, i) => {
      const before = log.membersOf(p, d - OWNER_LOOKBACK_MS, d);
      const after = log.membersOf(p, d, disturbances[i + 1] ?? f.producingEndedMs);
      return before.length === 1 && after.length === 1 && before[0] === after[0];
    });
    partitions.push({
      partition: p,
      pauseMs: log.longestGapMs(p, firstDisturbance, f.producingEndedMs),
      owners: dedupe(owners),
      handled: log.handledBelow(p, f.endOffsets[p]?.offset ?? 0),
      staying,
    });
  }
  const old = partitions.filter((p) => p.partition < f.initialPartitions);
  const medianOf = (xs: PartitionStats[]) => median(xs.map((x) => x.pauseMs));
  const maxOf = (xs: PartitionStats[]) => (xs.length === 0 ? NaN : Math.max(...xs.map((x) => x.pauseMs)));
  const steadyGapMs = disturbances.length === 0 ? NaN : Math.max(0, ...old.map((p) => log.longestGapMs(p.partition, f.originMs + WARM_UP_MS, firstDisturbance)));

  const members: MemberStats[] = f.members.filter((m) => m.started).map((m) => {
    const mine = log.batches.filter((b) => b.member === m.name);
    const records = mine.reduce((a, b) => a + b.lastOffset - b.firstOffset + 1, 0);
    const first = mine.length === 0 ? NaN : Math.min(...mine.map((b) => b.atMs));
    const until = Math.min(f.producingEndedMs, Number.isNaN(m.exitedAtMs) ? Infinity : m.exitedAtMs);
    return {
      name: m.name,
      records,
      pauseMs: Number.isNaN(first) ? NaN : log.memberLongestGapMs(m.name, Math.max(first, f.originMs), until),
      finalPartitions: m.exit === 'running' ? (m.view?.partitions ?? []) : [],
      evictions: Math.max(0, (m.view?.memberIds.size ?? 1) - 1),
      pollTimeouts: m.view?.pollTimeouts ?? 0,
      exit: m.exit,
    };
  });

  const lag = lagFigures(f, firstDisturbance, disturbances.length > 0);
  return {
    scenario: f.scenario,
    variant: f.variant,
    knobs: f.knobs,
    durationMs: f.endMs - f.originMs,
    produced,
    processed: log.distinct,
    duplicates: log.duplicates,
    lost: Math.max(0, produced - log.distinct),
    lagPeak: lag.peak,
    recoverMs: lag.recoverMs,
    lagSeries: f.lagSeries,
    throughputSeries: f.throughputSeries,
    rebalances: [...f.generations].filter((g) => g > f.generationsAtOrigin).length,
    brokerRebalances: f.timeline.length === 0 && !f.events.some((e) => e.source === 'broker') ? null : f.timeline.filter((e) => e.kind === 'rebalance' && (e.generationId ?? 0) > f.generationsAtOrigin).length,
    brokerTimeline: f.timeline.filter((e) => (e.generationId ?? Infinity) > f.generationsAtOrigin || e.kind !== 'rebalance'),
    maxPartitionPauseMs: maxOf(old),
    medianPartitionPauseMs: medianOf(old),
    stayingMedianPauseMs: medianOf(old.filter((p) => p.staying)),
    stayingPauseMs: maxOf(old.filter((p) => p.staying)),
    // Nothing moves in a run without a disturbance (five-on-four): no partition "moved".
    movedPauseMs: disturbances.length === 0 ? NaN : maxOf(old.filter((p) => !p.staying)),
    steadyGapMs,
    partitions,
    members,
    idleMembers: members.filter((m) => m.exit === 'running' && m.finalPartitions.length === 0).map((m) => m.name),
    newPartitionsConsumed: partitions.filter((p) => p.partition >= f.initialPartitions && p.handled > 0).length,
    events: f.events,
    ownership: ownershipSegments(f),
  };
}

/** A gap longer than this splits a partition's bar in the report. */
const SEGMENT_GAP_MS = 250;

function ownershipSegments(f: RunFacts): OwnershipSegment[] {
  const out: OwnershipSegment[] = [];
  const open = new Map<number, { member: string; fromMs: number; toMs: number }>();
  const batches = [...f.log.batches].sort((a, b) => a.atMs - b.atMs);
  const close = (p: number) => {
    const s = open.get(p);
    if (s !== undefined) out.push({ partition: p, member: s.member, fromMs: s.fromMs - f.originMs, toMs: s.toMs - f.originMs });
    open.delete(p);
  };
  for (const b of batches) {
    const s = open.get(b.partition);
    if (s !== undefined && s.member === b.member && b.atMs - s.toMs <= SEGMENT_GAP_MS) s.toMs = b.atMs;
    else {
      close(b.partition);
      open.set(b.partition, { member: b.member, fromMs: b.atMs, toMs: b.atMs });
    }
  }
  for (const p of [...open.keys()]) close(p);
  return out;
}

/**
 * Lag peak, and how long after the first disturbance lag stayed above its steady level: the
 * larger of twice the highest lag seen before the disturbance and 200 ms worth of records.
 */
function lagFigures(f: RunFacts, disturbanceMs: number, disturbed: boolean): { peak: number; recoverMs: number } {
  const sampleAt = (i: number) => f.originMs + (i + 1) * LAG_SAMPLE_MS;
  const producing = f.lagSeries.filter((_, i) => sampleAt(i) <= f.producingEndedMs);
  const peak = Math.max(0, ...producing);
  if (!disturbed) return { peak, recoverMs: 0 };
  const before = producing.filter((_, i) => sampleAt(i) >= f.originMs + WARM_UP_MS && sampleAt(i) < disturbanceMs);
  const threshold = Math.max(2 * Math.max(0, ...before), (f.knobs.ratePerSecond * 200) / 1000);
  let last = -1;
  producing.forEach((lag, i) => {
    if (sampleAt(i) >= disturbanceMs && lag > threshold) last = i;
  });
  if (last === -1) return { peak, recoverMs: 0 };
  if (last === producing.length - 1) return { peak, recoverMs: NaN };
  return { peak, recoverMs: sampleAt(last + 1) - disturbanceMs };
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function dedupe(xs: string[]): string[] {
  return xs.filter((x, i) => xs.indexOf(x) === i);
}
