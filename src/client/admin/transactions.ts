import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError, throwIfError } from '../errors.js';
import type { Cluster } from '../net/cluster.js';

/** One transactional id as ListTransactions reports it. */
export interface TransactionListing {
  transactionalId: string;
  producerId: number;
  /** Kafka's state name: Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, ... */
  state: string;
}

export interface TransactionDescription extends TransactionListing {
  /** The coordinator's node id. */
  coordinatorId: number;
  producerEpoch: number;
  transactionTimeoutMs: number;
  /** When the running transaction started; null when none runs. */
  transactionStartTimeMs: number | null;
  /** Partitions in the running transaction (a group's offsets show as a `__consumer_offsets` partition). */
  topicPartitions: Array<{ topic: string; partition: number }>;
}

export interface ProducerStateDescription {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: number;
  coordinatorEpoch: number;
  /** First offset of the producer's open transaction in the partition, or null. */
  currentTransactionStartOffset: number | null;
}

/**
 * ListTransactions on every broker (each lists the transactional ids it coordinates), merged and
 * sorted. `durationMs` (ListTransactions v1, KIP-994) keeps transactions running longer than it.
 */
export async function listTransactions(cluster: Cluster, o: { states?: string[]; producerIds?: number[]; durationMs?: number } = {}): Promise<TransactionListing[]> {
  const cache = await cluster.metadata({ force: true });
  const all = new Map<string, TransactionListing>();
  await Promise.all([...cache.brokers.keys()].map((nodeId) => cluster.retry(async () => {
    const { version, response } = await cluster.request(nodeId, 66, { stateFilters: o.states ?? [], producerIdFilters: o.producerIds ?? [], durationFilter: o.durationMs ?? -1 });
    if (o.durationMs !== undefined && version < 1) throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, { api: 'ListTransactions', broker: nodeId }, `UNSUPPORTED_VERSION (35): broker ${nodeId} cannot filter transactions by duration (ListTransactions v1)`);
    throwIfError(response.errorCode, { api: 'ListTransactions', broker: nodeId });
    for (const t of response.transactionStates) all.set(t.transactionalId, { transactionalId: t.transactionalId, producerId: t.producerId, state: t.transactionState });
  })));
  return [...all.values()].sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0));
}

/** DescribeTransactions at each id's transaction coordinator. */
export async function describeTransactions(cluster: Cluster, transactionalIds: string[]): Promise<TransactionDescription[]> {
  return Promise.all(transactionalIds.map((transactionalId) => cluster.retry(async () => {
    const target = { coordinator: transactionalId, keyType: 1 as const };
    const nodeId = await cluster.coordinator(transactionalId, 1);
    const { response } = await cluster.request(target, 65, { transactionalIds: [transactionalId] });
    const s = response.transactionStates[0]!;
    if (s.errorCode === ErrorCode.NOT_COORDINATOR || s.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE) cluster.invalidateCoordinator(transactionalId, 1);
    throwIfError(s.errorCode, { api: 'DescribeTransactions', detail: `transactional id ${transactionalId}` });
    return {
      transactionalId,
      coordinatorId: nodeId,
      producerId: s.producerId,
      producerEpoch: s.producerEpoch,
      state: s.transactionState,
      transactionTimeoutMs: s.transactionTimeoutMs,
      transactionStartTimeMs: s.transactionStartTimeMs < 0 ? null : s.transactionStartTimeMs,
      topicPartitions: s.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))),
    };
  })));
}

/** DescribeProducers at the partition's leader: who writes there, and which transaction each has open. */
export async function describeProducers(cluster: Cluster, topic: string, partition: number): Promise<ProducerStateDescription[]> {
  return cluster.retry(async () => {
    const leader = await cluster.leaderFor(topic, partition);
    const { response } = await cluster.request(leader, 61, { topics: [{ name: topic, partitionIndexes: [partition] }] });
    const p = response.topics[0]!.partitions[0]!;
    if (p.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER) cluster.invalidateTopic(topic);
    throwIfError(p.errorCode, { api: 'DescribeProducers', topic, partition, detail: p.errorMessage });
    return p.activeProducers.map((s) => ({
      producerId: s.producerId,
      producerEpoch: s.producerEpoch,
      lastSequence: s.lastSequence,
      lastTimestamp: s.lastTimestamp,
      coordinatorEpoch: s.coordinatorEpoch,
      currentTransactionStartOffset: s.currentTxnStartOffset < 0 ? null : s.currentTxnStartOffset,
    }));
  });
}

/**
 * Ends a hanging transaction in one partition by writing an ABORT marker there (WriteTxnMarkers
 * to the leader), as Kafka's Admin.abortTransaction does: for a transaction its coordinator no
 * longer knows, which otherwise holds the partition's last stable offset back for ever.
 */
export async function abortTransaction(cluster: Cluster, o: { topic: string; partition: number; producerId: number; producerEpoch: number; coordinatorEpoch: number }): Promise<void> {
  await cluster.retry(async () => {
    const leader = await cluster.leaderFor(o.topic, o.partition);
    const { response } = await cluster.request(leader, 27, {
      markers: [{ producerId: o.producerId, producerEpoch: o.producerEpoch, transactionResult: false, coordinatorEpoch: o.coordinatorEpoch, topics: [{ name: o.topic, partitionIndexes: [o.partition] }] }],
    });
    const code = response.markers[0]?.topics[0]?.partitions[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    if (code === ErrorCode.NOT_LEADER_OR_FOLLOWER) cluster.invalidateTopic(o.topic);
    throwIfError(code, { api: 'WriteTxnMarkers', topic: o.topic, partition: o.partition, detail: `producer ${o.producerId} epoch ${o.producerEpoch}` });
  });
}
