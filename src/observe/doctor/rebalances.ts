import type { TimelineCauseKind, TimelineEntry } from '../../common/timeline/index.js';
import { duration, plural, round2 } from './series.js';
import type { DoctorInput, DoctorThresholds, Finding } from './types.js';

/** Timeline entries completed inside the considered history. */
export function consideredEntries(input: DoctorInput): TimelineEntry[] {
  const t = input.timeline;
  if (t === null) return [];
  return t.entries.filter((e) => e.completedAtMs >= t.sinceMs && e.completedAtMs <= input.nowMs);
}

/**
 * Rebalances that pause consumption: new generations after the first assignment (a group's first
 * generation pauses nothing that was running) and the emptying of a group. A cooperative second
 * round is counted with its first: it is the same rebalance finishing (KIP-429).
 */
export function pausingRebalances(entries: readonly TimelineEntry[]): TimelineEntry[] {
  return entries.filter((e) => e.kind === 'rebalance' && e.membersBefore.length > 0 && !e.causes.every((c) => c.kind === 'cooperative-second-round'));
}

/**
 * Members removed because they did not come back within the rebalance timeout, which the Java
 * client sets to max.poll.interval.ms (KIP-62): a handler that runs longer than that between
 * polls. Only the Samsa coordinator says so; from outside such a member is just gone.
 */
export function pollIntervalExceeded(input: DoctorInput): Finding | null {
  const evictions = consideredEntries(input).flatMap((e) => e.causes.filter((c) => c.kind === 'max-poll-interval-exceeded').map((c) => ({ c, e })));
  if (evictions.length === 0) return null;
  const members = [...new Set(evictions.map(({ c }) => c.memberId ?? '?'))].sort();
  const clients = [...new Set(evictions.map(({ c }) => c.clientId ?? c.memberId ?? '?'))].sort();
  // The partitions the evicted members owned go to others and their uncommitted records run again.
  const moved = evictions.reduce((n, { e, c }) => n + e.partitions.moved.filter((m) => m.from === c.memberId).length, 0);
  return {
    kind: 'poll-interval-exceeded',
    severity: evictions.length > 1 ? 'critical' : 'warning',
    title: `${plural(evictions.length, 'member')} evicted for processing longer than max.poll.interval.ms (${clients.join(', ')})`,
    evidence: {
      evictions: evictions.length,
      clients,
      lastAtMs: Math.max(...evictions.map(({ c }) => c.atMs)),
      partitionsMovedAway: moved,
      historyMs: input.nowMs - input.timeline!.sinceMs,
    },
    partitions: [],
    members,
    fix: [
      'process less between polls: lower max.poll.records (or the batch size the handler gets), or hand slow work to a worker pool and pause the partition meanwhile',
      'raise max.poll.interval.ms above the longest batch time (the member is declared dead only after it)',
      'commit what was processed before long work, so an eviction re-delivers little',
    ],
    impactRecords: 0,
  };
}

/** What to do about each reason a group rebalanced. */
const REMEDY: Partial<Record<TimelineCauseKind, string>> = {
  'member-joined': 'members joining and leaving again and again are restarts: give each instance a stable group.instance.id (static membership, KIP-345) and a session.timeout.ms longer than a restart, so a restart rebalances nothing',
  'member-left': 'members joining and leaving again and again are restarts: give each instance a stable group.instance.id (static membership, KIP-345) and a session.timeout.ms longer than a restart, so a restart rebalances nothing',
  'member-gone': 'members joining and leaving again and again are restarts: give each instance a stable group.instance.id (static membership, KIP-345) and a session.timeout.ms longer than a restart, so a restart rebalances nothing',
  'session-timeout': 'members missed heartbeats for session.timeout.ms: raise it (45 s is the Kafka 3.0 default, KIP-735), keep heartbeat.interval.ms at a third of it, look for long GC pauses or a blocked event loop',
  'max-poll-interval-exceeded': 'members took longer than max.poll.interval.ms between polls: see the eviction finding',
  'sync-timeout': 'members never sent SyncGroup after joining: consumers crashing during start-up',
  'new-member-timeout': 'new members never completed their first join: consumers crashing during start-up',
  'subscription-changed': 'members rejoined with another subscription: give every member of the group the same topics',
  'unknown': 'the reasons cannot be seen from outside the coordinator: against a Samsa broker pass --http-url for the exact history',
};

/**
 * Rebalance churn: the group rebalances often, and every rebalance pauses consumption (all of it
 * with eager assignors, the moved partitions with cooperative ones). Reported with the reasons
 * and the remedy for each, from the rebalance timeline.
 */
export function rebalanceChurn(input: DoctorInput, t: DoctorThresholds): Finding | null {
  if (input.timeline === null) return null;
  const rebalances = pausingRebalances(consideredEntries(input));
  if (rebalances.length === 0) return null;
  const historyMs = Math.max(1, input.nowMs - input.timeline.sinceMs);
  const totalPauseMs = rebalances.reduce((n, e) => n + e.pause.maxMs, 0);
  const pauseShare = totalPauseMs / historyMs;
  if (rebalances.length < t.churnMinRebalances && pauseShare < t.churnPauseShare) return null;
  const reasons: Record<string, number> = {};
  for (const e of rebalances) for (const kind of new Set(e.causes.map((c) => c.kind))) reasons[kind] = (reasons[kind] ?? 0) + 1;
  const eager = rebalances.filter((e) => e.rebalanceProtocol === 'eager');
  const fix: string[] = [];
  for (const kind of Object.keys(reasons).sort((a, b) => reasons[b]! - reasons[a]!)) {
    const remedy = REMEDY[kind as TimelineCauseKind];
    if (remedy !== undefined && !fix.includes(remedy)) fix.push(remedy);
  }
  if (eager.length > 0) {
    fix.push(`${plural(eager.length, 'rebalance')} stopped every partition (eager assignor ${eager[0]!.protocolName ?? ''}): switch to cooperative-sticky (KIP-429) so only the partitions that move pause`);
  }
  const perHour = round2((rebalances.length * 3_600_000) / historyMs);
  return {
    kind: 'rebalance-churn',
    severity: pauseShare >= 2 * t.churnPauseShare ? 'critical' : 'warning',
    title: `${plural(rebalances.length, 'rebalance')} in ${duration(historyMs)} (${perHour}/h), consumption paused ${duration(totalPauseMs)} in total`,
    evidence: {
      rebalances: rebalances.length,
      perHour,
      historyMs,
      totalPauseMs,
      longestPauseMs: Math.max(...rebalances.map((e) => e.pause.maxMs)),
      pauseShare: round2(pauseShare),
      eagerRebalances: eager.length,
      reasons,
      timelineSource: input.timeline.source,
    },
    partitions: [],
    members: [],
    fix,
    impactRecords: 0,
  };
}
