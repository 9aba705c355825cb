import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAssignment, encodeAssignment, encodeSubscription } from '../../protocol/consumer-protocol.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { HeartbeatResponseInit, JoinGroupResponseInit, SyncGroupResponseInit } from '../../protocol/messages/index.js';
import { PARKED } from '../types.js';
import { ConsumerKit, converge, topic, type TestMember } from './test-support.js';

const G = 'migrating';
const META = encodeSubscription({ topics: ['orders'] }, 1);

/** An eager classic consumer (like librdkafka's default): rejoins with nothing owned when told to. */
class ClassicMember {
  memberId = '';
  generation = -1;
  owned: number[] = [];
  constructor(private readonly ck: ConsumerKit) {}

  join(): JoinGroupResponseInit | typeof PARKED {
    this.owned = [];
    const send = () => this.ck.kit.join(G, { memberId: this.memberId, protocols: [{ name: 'range', metadata: META }] });
    let r = send().response;
    if (r !== PARKED && r.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.memberId = r.memberId;
      r = send().response;
    }
    if (r !== PARKED && r.errorCode === ErrorCode.NONE) {
      this.memberId = r.memberId;
      this.generation = r.generationId!;
    }
    return r;
  }

  sync(assignments: { memberId: string; assignment: Buffer }[] = []): SyncGroupResponseInit {
    const r = this.ck.kit.sync(G, this.memberId, this.generation, assignments).response as SyncGroupResponseInit;
    if (r.errorCode === ErrorCode.NONE) this.owned = decodeAssignment(Buffer.from(r.assignment)).assignedPartitions.flatMap((t) => t.partitions);
    return r;
  }

  heartbeat(): number {
    return (this.ck.kit.send('heartbeat', { groupId: G, memberId: this.memberId, generationId: this.generation }).response as HeartbeatResponseInit).errorCode;
  }

  /** Heartbeat; when told to, rejoin and sync (what a classic client does). */
  step(): void {
    if (this.heartbeat() === ErrorCode.REBALANCE_IN_PROGRESS) {
      this.join();
      this.sync();
    }
  }
}

function classicGroup(ck: ConsumerKit): ClassicMember[] {
  const ms = [new ClassicMember(ck), new ClassicMember(ck)];
  const joins = ms.map((m) => {
    const first = ck.kit.join(G, { protocols: [{ name: 'range', metadata: META }] }).response as JoinGroupResponseInit;
    m.memberId = first.memberId;
    return ck.kit.join(G, { memberId: m.memberId, protocols: [{ name: 'range', metadata: META }] }).requestId;
  });
  ck.kit.advance(0);
  const answers = joins.map((id) => ck.kit.answer<JoinGroupResponseInit>(id)!);
  for (const [i, m] of ms.entries()) m.generation = answers[i]!.generationId!;
  const leader = answers[0]!.leader;
  const assignment = (ps: number[]) => encodeAssignment({ assignedPartitions: [{ topic: 'orders', partitions: ps }], userData: null }, 1);
  const plan = [
    { memberId: ms[0]!.memberId, assignment: assignment([0, 1]) },
    { memberId: ms[1]!.memberId, assignment: assignment([2, 3]) },
  ];
  for (const m of [...ms].sort((a) => (a.memberId === leader ? -1 : 1))) m.sync(m.memberId === leader ? plan : []);
  assert.deepEqual(ms.map((m) => m.owned), [[0, 1], [2, 3]]);
  return ms;
}

function owners(ck: ConsumerKit, classics: ClassicMember[], members: TestMember[]): number[] {
  return [...classics.flatMap((m) => m.owned), ...members.flatMap((m) => m.owned.orders ?? [])].sort((a, b) => a - b);
}

describe('online migration between the classic and consumer protocols', () => {
  it('upgrades a classic group when a KIP-848 member joins, keeping assignments, then shares the partitions', () => {
    const ck = new ConsumerKit([topic('orders', 4)]);
    const classics = classicGroup(ck);
    const generation = classics[0]!.generation;
    const k = ck.member(G, 'k848');
    assert.equal(k.join().errorCode, ErrorCode.NONE);
    assert.equal(ck.kit.group(G), undefined, 'no classic group any more');
    const g = ck.group(G)!;
    assert.equal(g.members.length, 3);
    assert.ok(g.members.filter((m) => m.classic).every((m) => m.memberEpoch === generation), 'classic members keep their generation as epoch');
    assert.ok(ck.kit.events.some((e) => e.type === 'group-converted' && e.to === 'consumer'));
    for (let round = 0; round < 6; round++) {
      for (const c of classics) c.step();
      k.beat();
      ck.checkSingleOwners(G);
      const all = owners(ck, classics, [k]);
      assert.equal(new Set(all).size, all.length, `no partition owned twice: ${all}`);
    }
    assert.equal(ck.group(G)!.state, 'Stable');
    assert.deepEqual(owners(ck, classics, [k]), [0, 1, 2, 3]);
    assert.ok((k.owned.orders?.length ?? 0) >= 1);
  });

  it('downgrades back to a classic group when the last KIP-848 member leaves, and the classic members rebalance', () => {
    const ck = new ConsumerKit([topic('orders', 4)]);
    const classics = classicGroup(ck);
    const k = ck.member(G, 'k848');
    k.join();
    for (let round = 0; round < 6; round++) {
      for (const c of classics) c.step();
      k.beat();
    }
    k.leave();
    assert.equal(ck.group(G), undefined);
    const classic = ck.kit.group(G)!;
    assert.equal(classic.state, 'PreparingRebalance');
    assert.equal(classic.members.length, 2);
    assert.ok(ck.kit.events.some((e) => e.type === 'group-converted' && e.to === 'classic'));
  });

  it('refuses to convert when group.consumer.migration.policy does not allow it', () => {
    const ck = new ConsumerKit([topic('orders', 4)], { consumerMigrationPolicy: 'downgrade' });
    classicGroup(ck);
    const r = ck.member(G, 'k848').join();
    assert.equal(r.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    assert.ok(ck.kit.group(G) !== undefined);
  });

  it('lets a classic member join a consumer group and get its share through JoinGroup and SyncGroup', () => {
    const ck = new ConsumerKit([topic('orders', 4)]);
    const k = ck.member(G, 'k848');
    k.join();
    converge(ck, [k]);
    const c = new ClassicMember(ck);
    const join = c.join() as JoinGroupResponseInit;
    assert.equal(join.errorCode, ErrorCode.NONE);
    assert.equal(join.protocolName, 'range');
    assert.equal(join.leader, '');
    c.sync();
    for (let round = 0; round < 6; round++) {
      k.beat();
      c.step();
      const all = owners(ck, [c], [k]);
      assert.equal(new Set(all).size, all.length);
    }
    assert.deepEqual([k.owned.orders?.length, c.owned.length], [2, 2]);
    assert.equal(ck.group(G)!.members.find((m) => m.memberId === c.memberId)!.classic, true);
  });
});
