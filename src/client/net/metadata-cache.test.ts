import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetadataCache } from './metadata-cache.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { MetadataResponse } from '../../protocol/messages/03-metadata.js';

function response(topics: MetadataResponse['topics']): MetadataResponse {
  return {
    throttleTimeMs: 0, clusterId: 'c1', controllerId: 1, clusterAuthorizedOperations: 0,
    brokers: [{ nodeId: 1, host: 'h1', port: 9092, rack: null }, { nodeId: 2, host: 'h2', port: 9092, rack: null }],
    topics,
  };
}

function partition(index: number, leaderId: number, errorCode = 0) {
  return { errorCode, partitionIndex: index, leaderId, leaderEpoch: 3, replicaNodes: [leaderId], isrNodes: [leaderId], offlineReplicas: [] };
}

const topic = (name: string, partitions: ReturnType<typeof partition>[], errorCode = 0) =>
  ({ errorCode, name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', isInternal: false, partitions, topicAuthorizedOperations: 0 });

test('leaders, partition counts and brokers come from the latest response', () => {
  const c = new MetadataCache();
  c.apply(response([topic('t', [partition(1, 2), partition(0, 1)])]), false, 1000);
  assert.equal(c.leaderFor('t', 0), 1);
  assert.equal(c.leaderFor('t', 1), 2);
  assert.equal(c.leaderFor('t', 2), -1);
  assert.equal(c.partitionCount('t'), 2);
  assert.equal(c.brokers.get(2)?.host, 'h2');
  assert.equal(c.controllerId, 1);
});

test('a topic with an error is forgotten and its error kept; a leaderless partition has leader -1', () => {
  const c = new MetadataCache();
  c.apply(response([topic('t', [partition(0, 1)])]), false, 0);
  c.apply(response([topic('t', [], ErrorCode.UNKNOWN_TOPIC_OR_PARTITION), topic('u', [partition(0, 1, ErrorCode.LEADER_NOT_AVAILABLE)])]), false, 1);
  assert.equal(c.topics.has('t'), false);
  assert.equal(c.topicErrors.get('t'), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  assert.equal(c.leaderFor('u', 0), -1);
});

test('staleness follows metadataMaxAgeMs per topic; invalidation forces a refresh', () => {
  const c = new MetadataCache();
  c.apply(response([topic('t', [partition(0, 1)])]), false, 1000);
  assert.equal(c.isStale('t', 1000 + 299_999, 300_000), false);
  assert.equal(c.isStale('t', 1000 + 300_000, 300_000), true);
  assert.equal(c.isStale('other', 1000, 300_000), true);
  c.invalidateTopic('t');
  assert.equal(c.isStale('t', 1000, 300_000), true);
  assert.equal(c.leaderFor('t', 0), 1, 'the last known leader stays usable meanwhile');
});

test('an all-topics answer drops topics that no longer exist', () => {
  const c = new MetadataCache();
  c.apply(response([topic('a', [partition(0, 1)]), topic('b', [partition(0, 1)])]), true, 0);
  c.apply(response([topic('a', [partition(0, 1)])]), true, 1);
  assert.deepEqual([...c.topics.keys()], ['a']);
  c.apply(response([]), false, 2);
  assert.deepEqual([...c.topics.keys()], ['a'], 'a partial answer keeps other topics');
});
