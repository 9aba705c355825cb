import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemClock } from '../../common/clock.js';
import { silentLogger } from '../../common/logger.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { JoinGroupResponseInit, OffsetCommitResponseInit, OffsetFetchResponseInit, SyncGroupResponseInit } from '../../protocol/messages/index.js';
import { openLogStore, type LogStore, type PartitionLog } from '../../storage/index.js';
import { resolveBrokerConfig } from '../config.js';
import type { RequestContext } from '../handler.js';
import { COORDINATOR_EVENTS, subscribeCoordinatorEvent } from './events.js';
import { GROUP_LOG_NAME } from './internal-log.js';
import { GroupCoordinatorShell, GroupCoordinatorUnavailable } from './shell.js';

const config = resolveBrokerConfig({ memory: true, port: 0, groupInitialRebalanceDelayMs: 0, groupMinSessionTimeoutMs: 100 });

function memoryStore(): Promise<LogStore> {
  return openLogStore({ dataDir: null, segmentBytes: 1 << 20, retentionMs: -1, retentionBytes: -1, flushPolicy: 'acks-all', flushIntervalMs: 1000, log: silentLogger, clock: systemClock });
}

function rctx(version: number): RequestContext {
  return {
    version,
    header: { apiKey: 0, apiVersion: version, correlationId: 0, clientId: 'shell-test' },
    connection: { id: 1, remoteAddress: '::ffff:127.0.0.1', remotePort: 5000 },
  } as unknown as RequestContext;
}

function open(store: LogStore, compactAfterRecords?: number): Promise<GroupCoordinatorShell> {
  return GroupCoordinatorShell.open({ store, config, log: silentLogger, clock: systemClock, compactAfterRecords });
}

/** One member through join and sync (v3: no MEMBER_ID_REQUIRED round). */
async function stableMember(shell: GroupCoordinatorShell, groupId: string): Promise<{ memberId: string; generationId: number }> {
  const join = (await shell.handle('join', rctx(3), {
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 0, 255, 255, 255, 255]) }],
    reason: null,
  })) as JoinGroupResponseInit;
  assert.equal(join.errorCode, ErrorCode.NONE);
  const sync = (await shell.handle('sync', rctx(3), {
    groupId,
    generationId: join.generationId!,
    memberId: join.memberId,
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [{ memberId: join.memberId, assignment: Buffer.from('A') }],
  })) as SyncGroupResponseInit;
  assert.equal(Buffer.from(sync.assignment).toString(), 'A');
  return { memberId: join.memberId, generationId: join.generationId! };
}

function commit(shell: GroupCoordinatorShell, groupId: string, offset: number, member?: { memberId: string; generationId: number }): Promise<OffsetCommitResponseInit> {
  return shell.handle('offset-commit', rctx(7), {
    groupId,
    generationIdOrMemberEpoch: member?.generationId ?? -1,
    memberId: member?.memberId ?? '',
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }] }],
  }) as Promise<OffsetCommitResponseInit>;
}

async function fetchOffset(shell: GroupCoordinatorShell, groupId: string): Promise<number> {
  const r = (await shell.handle('offset-fetch', rctx(7), { groupId, topics: [{ name: 't', partitionIndexes: [0] }], groups: [], requireStable: false })) as OffsetFetchResponseInit;
  return r.topics![0]!.partitions![0]!.committedOffset!;
}

describe('GroupCoordinatorShell', () => {
  it('parks a JoinGroup until its timer completes the join phase, and keeps groups and offsets across a restart', async () => {
    const store = await memoryStore();
    const shell = await open(store);
    const member = await stableMember(shell, 'g');
    assert.equal((await commit(shell, 'g', 42, member)).topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    await shell.close();

    const again = await open(store);
    const group = again.coordinator.group('g')!;
    assert.equal(group.state, 'Stable');
    assert.equal(group.generationId, member.generationId);
    assert.equal(group.members[0]!.memberId, member.memberId);
    assert.equal(group.members[0]!.clientHost, '/127.0.0.1');
    assert.equal(await fetchOffset(again, 'g'), 42);
    await again.close();
    await store.close();
  });

  it('compacts its log into a snapshot of the live state, which replays to the same state', async () => {
    const store = await memoryStore();
    const shell = await open(store, 50);
    let compactions = 0;
    const stop = subscribeCoordinatorEvent(COORDINATOR_EVENTS.compacted, () => compactions++);
    try {
      for (let i = 1; i <= 200; i++) await commit(shell, 'simple', i);
      assert.ok(compactions >= 2, `compacted ${compactions} times`);
      const log = await store.openInternalLog(GROUP_LOG_NAME);
      assert.ok(log.logStartOffset > 100, 'older records dropped');
      assert.ok(log.logEndOffset - log.logStartOffset < 60);
      const fingerprint = shell.coordinator.durableFingerprint();
      await shell.close();
      const again = await open(store, 50);
      assert.equal(again.coordinator.durableFingerprint(), fingerprint);
      assert.equal(await fetchOffset(again, 'simple'), 200);
      await again.close();
    } finally {
      stop();
      await store.close();
    }
  });

  it('answers NOT_COORDINATOR when its log cannot be written, and goes back to what the log holds', async () => {
    const store = await memoryStore();
    const real = await store.openInternalLog(GROUP_LOG_NAME);
    let failNext = false;
    const flaky = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === 'append' && failNext) {
          return () => {
            failNext = false;
            throw new Error('disk full');
          };
        }
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as PartitionLog;
    const flakyStore = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'openInternalLog') return async () => flaky;
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const shell = await open(flakyStore);
    await commit(shell, 'g', 1);
    failNext = true;
    await assert.rejects(commit(shell, 'g', 2), (err: unknown) => err instanceof GroupCoordinatorUnavailable && err.errorCode === ErrorCode.NOT_COORDINATOR);
    assert.equal(await fetchOffset(shell, 'g'), 1, 'the failed commit left no trace');
    assert.equal((await commit(shell, 'g', 3)).topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    assert.equal(await fetchOffset(shell, 'g'), 3);
    await shell.close();
    await store.close();
  });

  it('drops the committed offsets of a topic the broker deleted', async () => {
    const store = await memoryStore();
    const shell = await open(store);
    await commit(shell, 'g', 5);
    await shell.topicsDeleted(['t']);
    assert.equal(await fetchOffset(shell, 'g'), -1);
    await shell.close();
    await store.close();
  });
});
