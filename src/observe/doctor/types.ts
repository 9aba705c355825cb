import type { TimelineEntry } from '../../common/timeline/index.js';

/**
 * What `samsa doctor` looks at and what it concludes. The sampler (I/O) fills a DoctorInput by
 * watching a group for a window; the analysis (pure: samples in, findings out, time as an
 * argument) turns it into findings. Plain JSON both ways, so a run can be saved and replayed.
 */

/** One partition of a topic the group consumes, as one sample saw it. */
export interface PartitionSample {
  readonly topic: string;
  readonly partition: number;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  /** The group's committed offset; null when it has committed nothing for the partition. */
  readonly committedOffset: number | null;
  /** The member that owned the partition at the sample; null when nobody did (or owners are unknown). */
  readonly owner: string | null;
}

export interface MemberSample {
  readonly memberId: string;
  readonly clientId: string;
  readonly clientHost: string;
  readonly groupInstanceId: string | null;
  /** topic -> partitions owned. Empty when the member got nothing. */
  readonly assignment: Readonly<Record<string, readonly number[]>>;
}

/** One look at the group and its topics. */
export interface DoctorSample {
  readonly atMs: number;
  /** The group's state (Stable, Empty, PreparingRebalance, ...); null when the cluster cannot describe groups. */
  readonly state: string | null;
  /** The assignor the group chose (range, cooperative-sticky, ...). */
  readonly protocol: string | null;
  /** null when the cluster cannot describe groups (then owners are unknown too). */
  readonly members: readonly MemberSample[] | null;
  readonly partitions: readonly PartitionSample[];
}

/** What was read once, at the end of the window, about one partition. */
export interface PartitionEndFacts {
  readonly topic: string;
  readonly partition: number;
  /** Timestamp of the first record the group has not consumed (at its committed offset); null when unknown or caught up. */
  readonly oldestUnconsumedTimestampMs: number | null;
  /**
   * ListOffsets by timestamp at (end - retention.ms): records below this offset are older than the
   * topic's retention and go at the next retention pass. null when retention is infinite or unknown.
   */
  readonly retentionHorizonOffset: number | null;
  /** Keys of the records read near the end of the partition, with their counts (most frequent first); only for hot partitions. */
  readonly recentKeys?: ReadonlyArray<{ readonly key: string; readonly count: number }>;
}

export interface DoctorTimeline {
  /** `coordinator`: the Samsa broker's exact history; `inferred`: guessed from the samples (DescribeGroups). */
  readonly source: 'coordinator' | 'inferred';
  /** Entries oldest first; only those completed at or after `sinceMs` are considered. */
  readonly entries: readonly TimelineEntry[];
  /** Where the history considered starts: the window start when inferred, earlier (--history) when exact. */
  readonly sinceMs: number;
}

export interface DoctorInput {
  readonly groupId: string;
  /** Oldest first, at least one. */
  readonly samples: readonly DoctorSample[];
  /** The time the window ended (usually the last sample's). */
  readonly nowMs: number;
  /** The time between samples the sampler aimed at: commit intervals shorter than about two of these cannot be seen. */
  readonly sampleIntervalMs: number;
  readonly timeline: DoctorTimeline | null;
  /** Per topic: retention.ms (null: infinite or unknown). */
  readonly topics: Readonly<Record<string, { readonly retentionMs: number | null }>>;
  readonly endFacts: readonly PartitionEndFacts[];
  /** What the sampler could not read (an API the cluster lacks). Copied into the report. */
  readonly notes: readonly string[];
}

/** critical: records are being lost or not consumed at all; warning: the group falls behind or pays for a mistake; info: worth knowing. */
export type Severity = 'critical' | 'warning' | 'info';

export type FindingKind =
  | 'no-owner'
  | 'stalled-partition'
  | 'retention-overtaking'
  | 'too-few-consumers'
  | 'poll-interval-exceeded'
  | 'rebalance-churn'
  | 'skew'
  | 'idle-members'
  | 'commits-lag-processing';

export interface PartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/** Evidence values: numbers first, names where numbers do not say it. */
export type EvidenceValue = number | string | boolean | null | readonly string[] | Readonly<Record<string, number>>;

export interface Finding {
  readonly kind: FindingKind;
  readonly severity: Severity;
  /** One line: what is wrong, with the main number. */
  readonly title: string;
  /** Named numbers behind the title (units last in names: Ms, PerSec, Records). */
  readonly evidence: Readonly<Record<string, EvidenceValue>>;
  /** Partitions concerned, sorted. */
  readonly partitions: readonly PartitionRef[];
  /** Member ids concerned, sorted. */
  readonly members: readonly string[];
  /** What to do, most effective first. */
  readonly fix: readonly string[];
  /** How many records (behind, at risk, or re-delivered) the finding is about: the order within a severity. */
  readonly impactRecords: number;
}

export interface DoctorSummary {
  readonly state: string | null;
  readonly protocol: string | null;
  readonly members: number | null;
  readonly partitions: number;
  readonly productionPerSec: number | null;
  readonly consumptionPerSec: number | null;
  readonly lagStart: number | null;
  readonly lagEnd: number | null;
  readonly rebalances: number | null;
}

export interface DoctorReport {
  readonly group: string;
  /** healthy: no finding above info. */
  readonly status: 'healthy' | 'warning' | 'critical';
  /** 0 healthy, 1 warning, 2 critical. */
  readonly exitCode: 0 | 1 | 2;
  readonly window: { readonly startMs: number; readonly endMs: number; readonly samples: number; readonly sampleIntervalMs: number };
  readonly timelineSource: 'coordinator' | 'inferred' | 'none';
  readonly summary: DoctorSummary;
  /** Ordered by impact: critical first, then by records concerned. */
  readonly findings: readonly Finding[];
  readonly notes: readonly string[];
}

/** The knobs of the analysis; defaults in DEFAULT_THRESHOLDS. */
export interface DoctorThresholds {
  /** Fewer records produced in the window than this and rates are not judged (too little to tell). */
  readonly minRecordsForRates: number;
  /** Consumption below this share of production counts as falling behind. */
  readonly fallingBehindRatio: number;
  /** Consumption below this share of production is critical. */
  readonly criticalRatio: number;
  /** Rebalances in the considered history from which churn is reported. */
  readonly churnMinRebalances: number;
  /** Share of the considered history spent paused by rebalances from which churn is reported anyway, and critical from twice that. */
  readonly churnPauseShare: number;
  /** Records (production in the window, or lag) below which skew is not judged. */
  readonly skewMinRecords: number;
  /** Oldest unconsumed record older than this share of retention.ms: retention is about to overtake the group. */
  readonly retentionAgeShare: number;
  /** Commits seen further apart than this (and than 2.5 sample intervals) are reported. */
  readonly commitIntervalMinMs: number;
  /** Records per commit from which the re-delivery after a crash is a warning, not info. */
  readonly commitStepWarnRecords: number;
}

export const DEFAULT_THRESHOLDS: DoctorThresholds = {
  minRecordsForRates: 20,
  fallingBehindRatio: 0.9,
  criticalRatio: 0.5,
  churnMinRebalances: 3,
  churnPauseShare: 0.1,
  skewMinRecords: 100,
  retentionAgeShare: 0.8,
  commitIntervalMinMs: 1000,
  commitStepWarnRecords: 1000,
};
