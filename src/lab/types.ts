import type { TimelineEntry } from '../common/timeline/index.js';

export type Strategy = 'range' | 'roundrobin' | 'sticky' | 'cooperative-sticky';
export type CommitMode = 'auto' | 'on-revoke';

/** The knobs of a run; every scenario has defaults and a short form, flags override them. */
export interface LabKnobs {
  /** Members running when the scenario begins (scale-out adds more, five-on-four has five). */
  members: number;
  partitions: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxPollIntervalMs: number;
  strategy: Strategy;
  commit: CommitMode;
  autoCommitIntervalMs: number;
  /** KIP-345 static membership: each member's group.instance.id is its name. */
  staticMembers: boolean;
  /** Records per second, spread evenly over the partitions. */
  ratePerSecond: number;
  /** Time between the scenario's steps (and after the last one). */
  phaseMs: number;
  /** Handler time per record, ms (0: the handler only counts). */
  handlerMsPerRecord: number;
  metadataMaxAgeMs: number;
  /** A member's stall: how long a stalled process (SIGSTOP) or a stuck handler takes. */
  stallMs: number;
  /** Rolling restart: how long a member is down between its stop and its new process's start. */
  downMs: number;
  /** Partitions added (partitions-added). */
  addPartitions: number;
}

/** Something the lab did to the group, or something a member or the broker reported. */
export interface LabEvent {
  /** ms from the start of the scenario (the producer's start). */
  readonly atMs: number;
  readonly source: 'lab' | 'member' | 'broker';
  readonly member?: string;
  readonly text: string;
  /** Actions that disturb the group (used to find staying partitions and recovery times). */
  readonly disturbance?: boolean;
}

export interface PartitionStats {
  readonly partition: number;
  /** Longest time without a record handled after the scenario's first disturbance, ms. */
  readonly pauseMs: number;
  /** Members that handled it, in order. */
  readonly owners: readonly string[];
  readonly handled: number;
  /** Kept its member across every disturbance (the partitions cooperative rebalancing never stops). */
  readonly staying: boolean;
}

export interface MemberStats {
  readonly name: string;
  readonly records: number;
  /** Longest time without handling anything while it was running, after its first record; NaN if it never handled one. */
  readonly pauseMs: number;
  /** Partitions it owned at the end (empty for an idle member or a process that is gone). */
  readonly finalPartitions: readonly number[];
  /** The process was removed from the group while alive (session timeout during a stall, max.poll.interval). */
  readonly evictions: number;
  readonly pollTimeouts: number;
  readonly exit: 'running' | 'stopped' | 'killed';
}

/** The numbers of one run. */
export interface LabRunResult {
  readonly scenario: string;
  readonly variant: string;
  readonly knobs: LabKnobs;
  readonly durationMs: number;
  readonly produced: number;
  /** Distinct records handled at least once. */
  readonly processed: number;
  readonly duplicates: number;
  /** Produced and never handled, after the drain at the end. */
  readonly lost: number;
  readonly lagPeak: number;
  /** From the first disturbance until lag is back near its steady level; NaN if it never came back. */
  readonly recoverMs: number;
  /** Lag samples (records), every LAG_SAMPLE_MS from the producer's start. */
  readonly lagSeries: readonly number[];
  /** Records handled per LAG_SAMPLE_MS. */
  readonly throughputSeries: readonly number[];
  /** Generations the members reported after the scenario began (rebalances seen by the clients). */
  readonly rebalances: number;
  /** Rebalances the Samsa broker recorded for the group after the scenario began; null when the broker is not in this process. */
  readonly brokerRebalances: number | null;
  readonly brokerTimeline: readonly TimelineEntry[];
  /** Longest pause of any partition after the first disturbance. */
  readonly maxPartitionPauseMs: number;
  /** Median over the partitions of each one's longest pause (one noisy partition does not move it). */
  readonly medianPartitionPauseMs: number;
  /** The same over partitions that kept their member (NaN if none kept it). */
  readonly stayingMedianPauseMs: number;
  /** Longest pause among partitions that kept their member (NaN if none kept it). */
  readonly stayingPauseMs: number;
  /** Longest pause among partitions that changed member. */
  readonly movedPauseMs: number;
  /** The steady-state longest gap before the first disturbance, for scale. */
  readonly steadyGapMs: number;
  readonly partitions: readonly PartitionStats[];
  readonly members: readonly MemberStats[];
  readonly idleMembers: readonly string[];
  /** Partitions added during the run that had records handled. */
  readonly newPartitionsConsumed: number;
  readonly events: readonly LabEvent[];
  /** Who handled each partition when (ms from the producer's start): a new segment at a change of member or a gap. */
  readonly ownership: readonly OwnershipSegment[];
}

export interface OwnershipSegment {
  readonly partition: number;
  readonly member: string;
  readonly fromMs: number;
  readonly toMs: number;
}

export const LAG_SAMPLE_MS = 100;
