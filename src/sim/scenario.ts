import type { Prng } from '../common/prng.js';
import type { CoordinatorConfig } from '../coordinator/index.js';

/** One planned fault, applied at `atMs` of virtual time. */
export type Fault =
  /** The member's process dies without LeaveGroup; it may come back as a new process later. */
  | { readonly kind: 'crash'; readonly atMs: number; readonly member: number; readonly restartAfterMs: number | null }
  /** The member stalls (GC pause, a handler stuck past max.poll.interval.ms). */
  | { readonly kind: 'pause'; readonly atMs: number; readonly member: number; readonly durationMs: number }
  /** The member closes cleanly (LeaveGroup if dynamic) and starts again later. */
  | { readonly kind: 'bounce'; readonly atMs: number; readonly member: number; readonly restartAfterMs: number }
  /** A second process starts with the same group.instance.id as a running static member. */
  | { readonly kind: 'duplicate-instance'; readonly atMs: number; readonly member: number }
  /** The coordinator restarts and replays its log (compacted first, or not). */
  | { readonly kind: 'coordinator-restart'; readonly atMs: number; readonly downMs: number; readonly compact: boolean };

export interface MemberPlan {
  readonly instanceId: string | null;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly joinVersion: number;
  readonly commitVersion: number;
  /** Commits travel on their own connection, so they may arrive after a later JoinGroup. */
  readonly commitConnection: boolean;
  readonly topics: readonly string[];
  readonly startAtMs: number;
}

export interface Scenario {
  readonly coordinator: Partial<CoordinatorConfig>;
  readonly partitionsPerTopic: ReadonlyMap<string, number>;
  readonly assignor: 'range' | 'roundrobin';
  /** Consumer groups (KIP-848): the server-side assignor members ask for (null: the default). */
  readonly serverAssignor?: 'uniform' | 'range' | null;
  readonly members: MemberPlan[];
  readonly faults: Fault[];
  /** Faults and network trouble happen before this time; after it the network is reliable. */
  readonly faultWindowEndMs: number;
  readonly durationMs: number;
  readonly lossProbability: number;
  readonly delayProbability: number;
  readonly maxLatencyMs: number;
}

/** A random but reproducible scenario: everything comes from the PRNG. */
export function randomScenario(prng: Prng): Scenario {
  const topicCount = prng.int(1, 2);
  const partitionsPerTopic = new Map<string, number>();
  for (let t = 0; t < topicCount; t++) partitionsPerTopic.set(`t${t}`, prng.int(1, 8));
  const topics = [...partitionsPerTopic.keys()];
  const memberCount = prng.int(1, 5);
  const staticShare = prng.pick([0, 0, 0.5, 1]);
  const sessionTimeoutMs = prng.int(2000, 6000);
  const members: MemberPlan[] = [];
  const faultWindowEndMs = prng.int(8000, 25_000);
  const planMember = (i: number, startAtMs: number): MemberPlan => {
    const isStatic = prng.next() < staticShare;
    return {
      instanceId: isStatic ? `instance-${i}` : null,
      sessionTimeoutMs,
      rebalanceTimeoutMs: prng.int(3000, 10_000),
      heartbeatIntervalMs: Math.floor(sessionTimeoutMs / 3),
      joinVersion: isStatic ? prng.pick([5, 7, 9]) : prng.pick([2, 3, 4, 5, 9]),
      // Static members need v7+ to carry their instance id (as librdkafka and Java do).
      commitVersion: isStatic ? prng.pick([7, 8, 9]) : prng.pick([2, 5, 7, 8, 9]),
      commitConnection: prng.bool(0.3),
      // Mostly everything; sometimes a member subscribes to the first topic only.
      topics: topics.length > 1 && prng.bool(0.2) ? [topics[0]!] : topics,
      startAtMs,
    };
  };
  for (let i = 0; i < memberCount; i++) members.push(planMember(i, prng.bool(0.7) ? 0 : prng.int(0, faultWindowEndMs)));

  const faults: Fault[] = [];
  const faultCount = prng.int(0, 6);
  for (let f = 0; f < faultCount; f++) {
    const atMs = prng.int(500, faultWindowEndMs);
    const member = prng.int(0, members.length - 1);
    const kind = prng.pick(['crash', 'crash', 'pause', 'pause', 'bounce', 'duplicate-instance', 'add-member', 'coordinator-restart'] as const);
    switch (kind) {
      case 'crash':
        faults.push({ kind, atMs, member, restartAfterMs: prng.bool(0.6) ? prng.int(0, 8000) : null });
        break;
      case 'pause':
        faults.push({ kind, atMs, member, durationMs: prng.int(500, 15_000) });
        break;
      case 'bounce':
        faults.push({ kind, atMs, member, restartAfterMs: prng.int(0, 5000) });
        break;
      case 'duplicate-instance':
        faults.push({ kind, atMs, member });
        break;
      case 'add-member':
        members.push(planMember(members.length, atMs));
        break;
      case 'coordinator-restart':
        faults.push({ kind, atMs, downMs: prng.int(0, 1000), compact: prng.bool() });
        break;
    }
  }
  faults.sort((a, b) => a.atMs - b.atMs);
  return {
    coordinator: {
      initialRebalanceDelayMs: prng.pick([0, 0, 0, 300, 3000]),
      minSessionTimeoutMs: 1000,
      maxSessionTimeoutMs: 60_000,
      maxGroupSize: prng.bool(0.1) ? Math.max(1, members.length - 1) : 2_147_483_647,
      offsetsRetentionMs: 7 * 24 * 3_600_000,
    },
    partitionsPerTopic,
    assignor: prng.pick(['range', 'roundrobin'] as const),
    members,
    faults,
    faultWindowEndMs,
    // The quiet tail must outlast a paused member, a rejoin and a rebalance after the last fault.
    durationMs: faultWindowEndMs + 45_000,
    lossProbability: prng.pick([0, 0, 0.01, 0.05]),
    delayProbability: prng.pick([0, 0.02, 0.1]),
    maxLatencyMs: prng.pick([2, 10, 50]),
  };
}

/**
 * The same kind of scenario for consumer groups (KIP-848): the session timeout and heartbeat
 * interval are the broker's (group.consumer.*), and members may ask for a server-side assignor.
 */
export function randomConsumerScenario(prng: Prng): Scenario {
  const base = randomScenario(prng);
  const sessionTimeoutMs = base.members[0]!.sessionTimeoutMs;
  return {
    ...base,
    // Static members of consumer groups leave with epoch -2 on a clean close; duplicates are refused.
    coordinator: {
      ...base.coordinator,
      consumerSessionTimeoutMs: sessionTimeoutMs,
      consumerMinSessionTimeoutMs: 1000,
      consumerHeartbeatIntervalMs: Math.floor(sessionTimeoutMs / 3),
      consumerMinHeartbeatIntervalMs: 100,
      consumerMaxGroupSize: base.coordinator.maxGroupSize ?? 2_147_483_647,
    },
    serverAssignor: prng.pick([null, 'uniform', 'range'] as const),
  };
}
