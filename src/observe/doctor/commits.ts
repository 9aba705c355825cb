import { duration, median, refOf, round2, type PartitionSeries } from './series.js';
import type { DoctorInput, DoctorThresholds, Finding } from './types.js';

/**
 * Commits that lag processing: the committed offset moves in big steps far apart, the mark of
 * interval auto-commit (auto.commit.interval.ms, 5 s in the Java client) or of commits every N
 * records. Everything processed since the last commit runs again after a crash or a rebalance
 * without commit-on-revoke, so the largest step seen is the re-delivery to expect. Steps closer
 * together than about two sample intervals cannot be told apart from commits after every batch,
 * so only intervals clearly longer than the sampling are reported.
 */
export function commitsLagProcessing(input: DoctorInput, series: readonly PartitionSeries[], t: DoctorThresholds): Finding | null {
  const intervals: number[] = [];
  const steps: number[] = [];
  const moving = series.filter((s) => s.commitSteps.length > 0);
  for (const s of moving) {
    for (let i = 1; i < s.commitSteps.length; i++) intervals.push(s.commitSteps[i]!.atMs - s.commitSteps[i - 1]!.atMs);
    // The first step may be the tail of a commit interval that began before the window: count it only as a size.
    for (const step of s.commitSteps) steps.push(step.records);
  }
  const interval = median(intervals);
  if (interval === null || interval < Math.max(t.commitIntervalMinMs, 2.5 * input.sampleIntervalMs)) return null;
  const maxStep = Math.max(...steps);
  const medianStep = median(steps)!;
  // Across partitions a crash loses what each member processed since its last commit on each of its partitions.
  const perCrash = moving.reduce((n, s) => n + Math.max(...s.commitSteps.map((c) => c.records)), 0);
  return {
    kind: 'commits-lag-processing',
    severity: perCrash >= t.commitStepWarnRecords ? 'warning' : 'info',
    title: `commits come every ~${duration(interval)} in steps of up to ${maxStep} records: a crash re-delivers up to ${perCrash} records`,
    evidence: {
      commitIntervalMs: Math.round(interval),
      commitsSeen: steps.length,
      medianStepRecords: round2(medianStep),
      maxStepRecords: maxStep,
      duplicatesAfterCrash: perCrash,
      sampleIntervalMs: input.sampleIntervalMs,
    },
    partitions: moving.map(refOf),
    members: [],
    fix: [
      'commit after each processed batch (commitSync, or kafkajs eachBatch with resolveOffset) instead of on a timer, or lower auto.commit.interval.ms',
      'commit on revoke (onPartitionsRevoked) so a rebalance re-delivers nothing, and make the handler idempotent (dedupe by key or offset) for what a crash still re-delivers',
    ],
    impactRecords: perCrash,
  };
}
