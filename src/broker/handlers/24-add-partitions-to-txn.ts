import { ErrorCode } from '../../protocol/errors.js';
import type { AddPartitionsToTxnRequest, AddPartitionsToTxnResponseInit, AddPartitionsToTxnResultInit, AddPartitionsToTxnTopic, AddPartitionsToTxnTopicResultInit } from '../../protocol/messages/index.js';
import { allowedOnCluster, allowedOnTopic, allowedOnTransactionalId, Op } from '../authorize.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { reportRejection } from '../rejections.js';
import { callTxnCoordinator, fencedErrorFor } from '../txn/call.js';
import { existingPartitions, resultsByTopic } from '../txn/partitions.js';

/** v2+ may answer PRODUCER_FENCED (KIP-588); v4+ batches transactions and may only verify (KIP-890). */
const PRODUCER_FENCED_FROM_VERSION = 2;
const BATCHED_FROM_VERSION = 4;
/** v5+ clients understand TRANSACTION_ABORTABLE from verification; older ones get INVALID_TXN_STATE. */
const ABORTABLE_FROM_VERSION = 5;

interface TxnAdd {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  verifyOnly: boolean;
  topics: AddPartitionsToTxnTopic[];
}

/**
 * AddPartitionsToTxn v0-5. v0-3 come from producers: one transaction, answered per partition.
 * v4+ carry several transactions, each possibly VerifyOnly (Kafka brokers use it to check a
 * partition belongs to a transaction before appending; Samsa does that in process, but answers it
 * for tools). As in Kafka, a partition that does not exist fails the whole transaction's request:
 * it is UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED. With an authorizer,
 * as Kafka: v4+ (a broker's request) needs CLUSTER_ACTION (CLUSTER_AUTHORIZATION_FAILED); each
 * transaction needs WRITE on its id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED on every partition)
 * and on each topic (TOPIC_AUTHORIZATION_FAILED, the others OPERATION_NOT_ATTEMPTED).
 */
export const addPartitionsToTxnHandler = defineHandler({
  apiKey: 24,
  minVersion: 0,
  maxVersion: 5,
  async handle(rctx, request) {
    if (rctx.version < BATCHED_FROM_VERSION) {
      const txn: TxnAdd = {
        transactionalId: request.v3AndBelowTransactionalId,
        producerId: request.v3AndBelowProducerId,
        producerEpoch: request.v3AndBelowProducerEpoch,
        verifyOnly: false,
        topics: request.v3AndBelowTopics,
      };
      return { throttleTimeMs: 0, resultsByTopicV3AndBelow: await addToTransaction(rctx, txn) };
    }
    if (!allowedOnCluster(rctx, Op.CLUSTER_ACTION)) return errorAnswer(request, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, rctx.version);
    const resultsByTransaction: AddPartitionsToTxnResultInit[] = [];
    for (const txn of request.transactions) resultsByTransaction.push({ transactionalId: txn.transactionalId, topicResults: await addToTransaction(rctx, txn) });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction };
  },
  errorResponse: (request, errorCode, version) => errorAnswer(request, errorCode, version),
});

function errorAnswer(request: AddPartitionsToTxnRequest, errorCode: number, version: number): AddPartitionsToTxnResponseInit {
  const all = (topics: AddPartitionsToTxnTopic[]) => topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: errorCode })) }));
  if (version < BATCHED_FROM_VERSION) return { throttleTimeMs: 0, resultsByTopicV3AndBelow: all(request.v3AndBelowTopics) };
  return { throttleTimeMs: 0, errorCode, resultsByTransaction: request.transactions.map((t) => ({ transactionalId: t.transactionalId, topicResults: all(t.topics) })) };
}

async function addToTransaction(rctx: RequestContext, txn: TxnAdd): Promise<AddPartitionsToTxnTopicResultInit[]> {
  const make = (name: string, resultsByPartition: Array<{ partitionIndex: number; partitionErrorCode: number }>) => ({ name, resultsByPartition });
  const all = txn.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
  if (!allowedOnTransactionalId(rctx, Op.WRITE, txn.transactionalId)) return resultsByTopic(all.map((tp) => ({ ...tp, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED })), make);
  const deniedTopics = new Set(txn.topics.filter((t) => !allowedOnTopic(rctx, Op.WRITE, t.name)).map((t) => t.name));
  if (deniedTopics.size > 0) {
    return resultsByTopic(all.map((tp) => ({ ...tp, errorCode: deniedTopics.has(tp.topic) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.OPERATION_NOT_ATTEMPTED })), make);
  }
  const { known, unknown } = existingPartitions(rctx.broker, txn.topics);
  if (unknown.length > 0) {
    reportRejection(rctx, 'AddPartitionsToTxn', { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, detail: `${unknown.map((tp) => `${tp.topic}-${tp.partition}`).join(', ')} do not exist` });
    return resultsByTopic(
      [...unknown.map((tp) => ({ ...tp, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION })), ...known.map((tp) => ({ ...tp, errorCode: ErrorCode.OPERATION_NOT_ATTEMPTED }))],
      make,
    );
  }
  if (txn.verifyOnly) {
    const verified = known.map((tp) => {
      const code = rctx.broker.txn.verifyPartition(txn.transactionalId, txn.producerId, txn.producerEpoch, tp.topic, tp.partition);
      return { ...tp, errorCode: code === ErrorCode.TRANSACTION_ABORTABLE && rctx.version < ABORTABLE_FROM_VERSION ? ErrorCode.INVALID_TXN_STATE : code };
    });
    return resultsByTopic(verified, make);
  }
  const body = { transactionalId: txn.transactionalId, producerId: txn.producerId, producerEpoch: txn.producerEpoch, partitions: known };
  const answer = await callTxnCoordinator(rctx, 'add-partitions', body, (errorCode) => ({ errorCode }));
  const errorCode = fencedErrorFor(answer.errorCode, rctx.version, PRODUCER_FENCED_FROM_VERSION);
  if (errorCode !== ErrorCode.NONE && errorCode !== ErrorCode.CONCURRENT_TRANSACTIONS) {
    reportRejection(rctx, 'AddPartitionsToTxn', { errorCode, detail: `transactional id ${JSON.stringify(txn.transactionalId)}` });
  }
  return resultsByTopic(known.map((tp) => ({ ...tp, errorCode })), make);
}
