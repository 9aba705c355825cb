/**
 * Samsa's own member state machine (src/client/group) in the simulator, against the coordinator
 * core with virtual time, lost and delayed messages, crashes, stalls and coordinator restarts:
 * the same seeded scenarios and invariants as the built-in simulated member (one owner per
 * partition per generation, complete Stable assignments, a settled group at the end).
 * Re-run one seed: SAMSA_SIM_SEED=123 node --test dist/test/sim/samsa-member-sim.test.js
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupMember, type GroupResponse } from '../../src/client/group/member.js';
import type { GroupAction, GroupRequest } from '../../src/client/group/types.js';
import type { CoordinatorApi } from '../../src/coordinator/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { API_SPECS } from '../../src/protocol/messages/index.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { runSimulation, type MemberFactory, type SimResult } from '../../src/sim/index.js';
import type { MemberContext } from '../../src/sim/world.js';
import type { OwnershipClaim, SimMember, SimMemberPort } from '../../src/sim/member.js';

const SIM_API: Record<GroupRequest['api'], { api: CoordinatorApi; key: 11 | 12 | 13 | 14 }> = {
  JoinGroup: { api: 'join', key: 11 },
  SyncGroup: { api: 'sync', key: 14 },
  Heartbeat: { api: 'heartbeat', key: 12 },
  LeaveGroup: { api: 'leave', key: 13 },
};

type Codec = { encodeRequest(w: Writer, v: number, m: unknown): void; decodeRequest(r: Reader, v: number): unknown };
const codec = (key: number) => (API_SPECS as unknown as Record<number, Codec>)[key]!;

/** Encoder input -> what a broker decodes at `version` (fields a version lacks are dropped). */
function asRequest(key: number, version: number, init: unknown): unknown {
  const w = new Writer();
  codec(key).encodeRequest(w, version, init);
  return codec(key).decodeRequest(new Reader(w.toBuffer()), version);
}

/** The coordinator core answers with encoder inputs; fill in what they leave to defaults. */
function asResponse(key: number, init: unknown): GroupResponse {
  const r = init as Record<string, unknown>;
  switch (key) {
    case 11:
      return {
        throttleTimeMs: 0, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId: '', ...r,
        members: ((r.members ?? []) as Array<Record<string, unknown>>).map((m) => ({ groupInstanceId: null, ...m, metadata: Buffer.from(m.metadata as Uint8Array) })),
      } as GroupResponse;
    case 14:
      return { throttleTimeMs: 0, protocolType: null, protocolName: null, ...r, assignment: Buffer.from((r.assignment ?? new Uint8Array(0)) as Uint8Array) } as GroupResponse;
    default:
      return { throttleTimeMs: 0, members: [], ...r } as unknown as GroupResponse;
  }
}

/** Adapts GroupMember to the simulator's SimMember; request timeouts are the shell's job, so here. */
class SamsaSimMember implements SimMember {
  readonly name: string;
  private member!: GroupMember;
  private readonly inFlight = new Map<number, { memberRequestId: number; key: number; version: number; deadlineMs: number }>();
  private readonly byMemberRequest = new Map<number, number>();
  private lastClaim: OwnershipClaim | null = null;

  constructor(private readonly port: SimMemberPort, private readonly c: MemberContext) {
    this.name = c.name;
  }

  get stopped(): boolean {
    return this.member.state === 'failed' || this.member.state === 'closed';
  }

  start(nowMs: number): void {
    const plan = this.c.plan;
    this.inFlight.clear();
    this.member = new GroupMember({
      groupId: this.c.groupId,
      groupInstanceId: plan.joinVersion >= 5 ? plan.instanceId : null,
      sessionTimeoutMs: plan.sessionTimeoutMs,
      rebalanceTimeoutMs: plan.rebalanceTimeoutMs,
      heartbeatIntervalMs: plan.heartbeatIntervalMs,
      retryBackoffMs: 100,
      maxPollIntervalMs: plan.rebalanceTimeoutMs,
      assignors: [this.c.assignor],
    });
    this.run(this.member.subscribe(plan.topics, nowMs), nowMs);
  }

  receive(requestId: number, response: unknown, nowMs: number): void {
    const f = this.inFlight.get(requestId);
    if (f === undefined) return;
    this.inFlight.delete(requestId);
    const decoded = asResponse(f.key, response);
    this.run(this.member.receive(f.memberRequestId, decoded, nowMs), nowMs);
  }

  fail(requestId: number, nowMs: number): void {
    const f = this.inFlight.get(requestId);
    if (f === undefined) return;
    this.inFlight.delete(requestId);
    this.run(this.member.requestFailed(f.memberRequestId, ErrorCode.NETWORK_EXCEPTION, nowMs), nowMs);
  }

  nextWakeMs(): number | null {
    if (this.stopped) return null;
    let next = this.member.nextDeadlineMs();
    for (const f of this.inFlight.values()) if (next === null || f.deadlineMs < next) next = f.deadlineMs;
    return next;
  }

  wake(nowMs: number): void {
    if (this.stopped) return;
    for (const [id, f] of [...this.inFlight]) if (f.deadlineMs <= nowMs) this.fail(id, nowMs);
    // The simulated application always makes progress between stalls.
    this.run(this.member.poll(nowMs), nowMs);
  }

  resume(nowMs: number): void {
    this.run(this.member.poll(nowMs), nowMs);
  }

  claim(): OwnershipClaim | null {
    if (this.member === undefined || this.member.state !== 'stable') return null;
    const { memberId, generationId } = this.member.generation;
    const partitions = this.member.ownedPartitions;
    const c = this.lastClaim;
    if (c !== null && c.memberId === memberId && c.generationId === generationId && c.partitions === partitions) return c;
    return (this.lastClaim = { memberId, generationId, partitions });
  }

  /** Carries out the member's actions; callbacks finish at once, coordinator lookup is instant. */
  private run(actions: GroupAction[], nowMs: number): void {
    const queue = [...actions];
    while (queue.length > 0) {
      const a = queue.shift()!;
      switch (a.type) {
        case 'find-coordinator':
          queue.push(...this.member.coordinatorFound(0, nowMs));
          break;
        case 'send': {
          const { api, key } = SIM_API[a.request.api];
          const version = a.request.api === 'JoinGroup' ? this.c.plan.joinVersion : a.request.api === 'LeaveGroup' ? 3 : 3;
          const id = this.port.send(api, version, asRequest(key, version, a.request.body) as never, { connection: 'main' });
          const timeoutMs = a.request.api === 'JoinGroup' || a.request.api === 'SyncGroup' ? this.c.plan.rebalanceTimeoutMs + 5_000 : Math.min(5_000, this.c.plan.sessionTimeoutMs);
          this.inFlight.set(id, { memberRequestId: a.requestId, key, version, deadlineMs: nowMs + timeoutMs });
          this.byMemberRequest.set(a.requestId, id);
          break;
        }
        case 'need-metadata':
          queue.push(...this.member.leaderMetadata(a.requestId, this.c.partitionsPerTopic, nowMs));
          break;
        case 'revoke':
        case 'assign':
          queue.push(...this.member.callbacksDone(a.token, nowMs));
          break;
        case 'event':
          if (a.event.name !== 'heartbeat-failure') this.port.trace(`${this.name} ${a.event.name} ${'generationId' in a.event ? a.event.generationId : ''}`);
          break;
        case 'fatal':
          this.port.trace(`${this.name} fatal ${a.message}`);
          break;
      }
    }
  }
}

const samsaMembers: MemberFactory = (port, context) => new SamsaSimMember(port, context);

const singleSeed = process.env['SAMSA_SIM_SEED'];
const runs = Number(process.env['SAMSA_SIM_RUNS'] ?? 500);
const firstSeed = Number(process.env['SAMSA_SIM_FIRST_SEED'] ?? 1);

function report(r: SimResult): string {
  return [`simulation seed ${r.seed} with Samsa members failed: ${r.failure}`, 'last steps:', ...r.trace].join('\n');
}

if (singleSeed !== undefined) {
  test(`Samsa members, simulation seed ${singleSeed}`, (t) => {
    const r = runSimulation(Number(singleSeed), { memberFactory: samsaMembers, traceLines: 400 });
    if (r.failure !== null) assert.fail(report(r));
    for (const line of r.trace) t.diagnostic(line);
  });
} else {
  test(`${runs} seeded simulation runs with Samsa's member state machine keep every invariant`, (t) => {
    let rebalances = 0;
    for (let seed = firstSeed; seed < firstSeed + runs; seed++) {
      const r = runSimulation(seed, { memberFactory: samsaMembers });
      if (r.failure !== null) assert.fail(report(r));
      rebalances += r.stats.rebalances;
    }
    t.diagnostic(`${runs} runs, ${rebalances} completed rebalances`);
    assert.ok(rebalances > runs, 'rebalances happen');
  });
}
