import type { LabKnobs } from './types.js';

/** What the lab does to the group, in order; `wait` lets the group run. */
export type LabStep =
  /** A member's process starts consuming (processes are forked before the scenario, so start-up cost is not measured). */
  | { readonly kind: 'start'; readonly member: string }
  /** SIGKILL: no commit, no LeaveGroup. */
  | { readonly kind: 'kill'; readonly member: string }
  /** SIGSTOP for `durationMs`, then SIGCONT (runs alongside the next steps). */
  | { readonly kind: 'freeze'; readonly member: string; readonly durationMs: number }
  /** The member's next batch takes `durationMs` in its handler. */
  | { readonly kind: 'stall'; readonly member: string; readonly durationMs: number }
  /** A deploy of one member: clean stop, `downMs` down, a new process with the same name; waits until it owns partitions again. */
  | { readonly kind: 'restart'; readonly member: string }
  | { readonly kind: 'add-partitions'; readonly count: number }
  | { readonly kind: 'wait'; readonly ms: number };

/** One side of a comparison a scenario makes by default (e.g. auto-commit vs commit-on-revoke). */
export interface LabVariant {
  readonly label: string;
  readonly knobs: Partial<LabKnobs>;
}

export interface LabScenario {
  readonly name: string;
  readonly title: string;
  /** What it shows, for the help text and the report. */
  readonly lesson: string;
  readonly defaults: Partial<LabKnobs>;
  /** The CI form: a few seconds a run. */
  readonly short: Partial<LabKnobs>;
  /** The knob the default comparison varies; a flag that sets it runs that one variant only. */
  readonly compares: keyof LabKnobs | null;
  readonly variants: (k: LabKnobs, short: boolean) => LabVariant[];
  /** Members that start after the scenario began. */
  readonly laterMembers: (k: LabKnobs) => number;
  readonly steps: (k: LabKnobs) => LabStep[];
}

export const memberName = (i: number): string => `m${i + 1}`;

/** Java's ratio of heartbeat to session timeout is 1:15 by default (3 s / 45 s); the lab uses 1:10, at least 100 ms and at most 3 s. */
export function defaultHeartbeatMs(sessionTimeoutMs: number): number {
  return Math.min(3000, Math.max(100, Math.floor(sessionTimeoutMs / 10)));
}

export const BASE_KNOBS: LabKnobs = {
  members: 3,
  partitions: 6,
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 1000,
  maxPollIntervalMs: 300_000,
  strategy: 'range',
  commit: 'on-revoke',
  autoCommitIntervalMs: 5000,
  staticMembers: false,
  ratePerSecond: 1000,
  phaseMs: 8000,
  handlerMsPerRecord: 0,
  metadataMaxAgeMs: 300_000,
  stallMs: 0,
  downMs: 3000,
  addPartitions: 0,
};

const SCENARIOS: LabScenario[] = [
  {
    name: 'scale-out',
    title: 'Scale out from 1 to 3 consumers under load',
    lesson: 'Partitions that move go to a member that starts from the last committed offset: with auto-commit only, everything processed since that commit is processed again; committing on revoke leaves nothing to redo.',
    defaults: { members: 1, partitions: 6, phaseMs: 10_000 },
    short: { phaseMs: 2000, sessionTimeoutMs: 6000 },
    compares: 'commit',
    variants: () => [
      { label: 'auto-commit', knobs: { commit: 'auto' } },
      { label: 'commit on revoke', knobs: { commit: 'on-revoke' } },
    ],
    laterMembers: () => 2,
    steps: (k) => [
      { kind: 'wait', ms: k.phaseMs },
      { kind: 'start', member: memberName(k.members) },
      { kind: 'wait', ms: k.phaseMs },
      { kind: 'start', member: memberName(k.members + 1) },
      { kind: 'wait', ms: k.phaseMs },
    ],
  },
  {
    name: 'crash',
    title: 'A member crashes (and another stalls) with a short and a long session timeout',
    lesson: 'A crashed member\'s partitions wait for the session timeout: a long timeout means a long pause. A short one ends the pause sooner but also evicts a member that only stalled (a GC pause, a stopped VM), costing two more rebalances.',
    defaults: { members: 3, partitions: 6, stallMs: 15_000, phaseMs: 8000 },
    short: { stallMs: 3000, phaseMs: 2000 },
    compares: 'sessionTimeoutMs',
    variants: (_k, short) =>
      short
        ? [
            { label: 'session 1.5 s', knobs: { sessionTimeoutMs: 1500, heartbeatIntervalMs: 300 } },
            { label: 'session 8 s', knobs: { sessionTimeoutMs: 8000, heartbeatIntervalMs: 500 } },
          ]
        : [
            { label: 'session 10 s', knobs: { sessionTimeoutMs: 10_000 } },
            { label: 'session 45 s', knobs: { sessionTimeoutMs: 45_000 } },
          ],
    laterMembers: () => 0,
    steps: (k) => [
      { kind: 'wait', ms: k.phaseMs },
      { kind: 'kill', member: memberName(k.members - 1) },
      { kind: 'freeze', member: memberName(0), durationMs: k.stallMs },
      { kind: 'wait', ms: Math.max(k.sessionTimeoutMs, k.stallMs) + k.phaseMs },
    ],
  },
  {
    name: 'cooperative',
    title: 'A member joins while another is busy with a slow batch: eager (range) vs cooperative-sticky',
    lesson: 'Eager protocols take every partition from every member for each rebalance, and the new assignment waits for the slowest member to finish its batch and rejoin: the whole group stops for it. Cooperative-sticky (KIP-429) only stops the partitions that move; the others never pause.',
    defaults: { members: 3, partitions: 6, phaseMs: 8000, stallMs: 5000 },
    // Long enough after the join for both cooperative rounds to finish on a busy machine.
    short: { phaseMs: 2500, sessionTimeoutMs: 6000, stallMs: 2000 },
    compares: 'strategy',
    variants: () => [
      { label: 'eager (range)', knobs: { strategy: 'range' } },
      { label: 'cooperative-sticky', knobs: { strategy: 'cooperative-sticky' } },
    ],
    laterMembers: () => 1,
    steps: (k) => [
      { kind: 'wait', ms: k.phaseMs },
      { kind: 'stall', member: memberName(0), durationMs: k.stallMs },
      { kind: 'start', member: memberName(k.members) },
      { kind: 'wait', ms: k.stallMs + k.phaseMs },
    ],
  },
  {
    name: 'rolling-restart',
    title: 'A rolling restart (a deploy), with and without static membership',
    lesson: 'Each dynamic member that restarts costs two rebalances (it leaves, it joins). A static member (group.instance.id, KIP-345) that is back within its session timeout takes its old place: no rebalance at all.',
    defaults: { members: 3, partitions: 6, downMs: 3000, phaseMs: 4000, sessionTimeoutMs: 30_000 },
    // Down longer than a heartbeat and a rebalance, so the leave and the join stay two rebalances.
    short: { downMs: 1200, phaseMs: 1000, sessionTimeoutMs: 8000, heartbeatIntervalMs: 300 },
    compares: 'staticMembers',
    variants: () => [
      { label: 'dynamic members', knobs: { staticMembers: false } },
      { label: 'static members', knobs: { staticMembers: true } },
    ],
    laterMembers: () => 0,
    steps: (k) => [
      { kind: 'wait', ms: k.phaseMs },
      ...Array.from({ length: k.members }, (_, i): LabStep[] => [
        { kind: 'restart', member: memberName(i) },
        { kind: 'wait', ms: k.phaseMs },
      ]).flat(),
    ],
  },
  {
    name: 'five-on-four',
    title: 'Five consumers on four partitions',
    lesson: 'A partition has at most one consumer in a group: the fifth member gets nothing and sits idle (a hot standby, not extra capacity).',
    defaults: { members: 5, partitions: 4, phaseMs: 8000 },
    short: { phaseMs: 1500, sessionTimeoutMs: 6000 },
    compares: null,
    variants: () => [{ label: '5 members, 4 partitions', knobs: {} }],
    laterMembers: () => 0,
    steps: (k) => [{ kind: 'wait', ms: k.phaseMs }],
  },
  {
    name: 'partitions-added',
    title: 'Partitions added under load',
    lesson: 'The group only rebalances once its leader sees the new partition count (at its next metadata refresh, metadata.max.age.ms); until then nobody consumes the new partitions.',
    defaults: { members: 2, partitions: 4, addPartitions: 2, metadataMaxAgeMs: 5000, phaseMs: 8000 },
    short: { metadataMaxAgeMs: 1000, phaseMs: 2500, sessionTimeoutMs: 6000 },
    compares: null,
    variants: (k) => [{ label: `${k.partitions} -> ${k.partitions + k.addPartitions} partitions`, knobs: {} }],
    laterMembers: () => 0,
    steps: (k) => [
      { kind: 'wait', ms: k.phaseMs },
      { kind: 'add-partitions', count: k.addPartitions },
      { kind: 'wait', ms: k.metadataMaxAgeMs + k.phaseMs },
    ],
  },
  {
    name: 'slow-handler',
    title: 'A handler slower than max.poll.interval.ms',
    lesson: 'A member whose handler runs past max.poll.interval.ms leaves the group while it is still working; its partitions go to others, and what it was processing is processed again. Then it comes back: two rebalances for one slow call.',
    defaults: { members: 3, partitions: 6, maxPollIntervalMs: 10_000, stallMs: 20_000, phaseMs: 8000 },
    short: { maxPollIntervalMs: 2000, stallMs: 4000, phaseMs: 2000, sessionTimeoutMs: 6000 },
    compares: null,
    variants: (k) => [{ label: `max.poll.interval ${k.maxPollIntervalMs / 1000} s, one batch takes ${k.stallMs / 1000} s`, knobs: {} }],
    laterMembers: () => 0,
    steps: (k) => [
      { kind: 'wait', ms: k.phaseMs },
      { kind: 'stall', member: memberName(0), durationMs: k.stallMs },
      { kind: 'wait', ms: k.stallMs + k.phaseMs },
    ],
  },
];

export function scenarioNames(): string[] {
  return SCENARIOS.map((s) => s.name);
}

export function findScenario(name: string): LabScenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

/**
 * The knobs of each run of a scenario: base, the scenario's defaults, its short form when asked,
 * the variant, then the user's flags. A flag for the compared knob runs only that variant.
 */
export function planRuns(s: LabScenario, flags: Partial<LabKnobs>, short: boolean): Array<{ label: string; knobs: LabKnobs }> {
  const base: LabKnobs = { ...BASE_KNOBS, ...s.defaults, ...(short ? s.short : {}) };
  const userHeartbeat = flags.heartbeatIntervalMs;
  const pinned = s.compares !== null && flags[s.compares] !== undefined;
  const variants = s.variants({ ...base, ...flags }, short);
  const chosen = pinned ? [{ label: describeKnob(s.compares!, flags[s.compares!]!), knobs: {} }] : variants;
  return chosen.map((v) => {
    const knobs: LabKnobs = { ...base, ...v.knobs, ...flags };
    // A variant or flag that changes the session timeout without a heartbeat gets the matching heartbeat.
    const scenarioHeartbeat = s.defaults.heartbeatIntervalMs ?? (short ? s.short.heartbeatIntervalMs : undefined);
    if (userHeartbeat === undefined && v.knobs.heartbeatIntervalMs === undefined && scenarioHeartbeat === undefined) knobs.heartbeatIntervalMs = defaultHeartbeatMs(knobs.sessionTimeoutMs);
    return { label: v.label, knobs };
  });
}

function describeKnob(k: keyof LabKnobs, v: LabKnobs[keyof LabKnobs]): string {
  switch (k) {
    case 'commit': return v === 'auto' ? 'auto-commit' : 'commit on revoke';
    case 'sessionTimeoutMs': return `session ${Number(v) / 1000} s`;
    case 'staticMembers': return v ? 'static members' : 'dynamic members';
    case 'strategy': return String(v);
    default: return `${k} ${String(v)}`;
  }
}
