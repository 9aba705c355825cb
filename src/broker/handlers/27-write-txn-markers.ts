import { encodeEndTxnMarker } from '../../protocol/control-record.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponseInit, WriteTxnMarkersWritableTxnMarker, WriteTxnMarkersWritableTxnMarkerResultInit } from '../../protocol/messages/index.js';
import type { PartitionLog } from '../../storage/types.js';
import { allowedOnCluster, Op } from '../authorize.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { reportRejection } from '../rejections.js';
import { visibleTopic } from '../topics.js';

/**
 * WriteTxnMarkers v0-1. Kafka's coordinators send it to partition leaders; Samsa's coordinator
 * writes its markers in process, so this serves tools: `kafka-transactions.sh abort` (Admin
 * abortTransaction) and `samsa transactions abort` end a hanging transaction (one its coordinator
 * no longer knows) by writing an ABORT marker straight into the partition. A marker with an
 * epoch older than the producer's is INVALID_PRODUCER_EPOCH, with an older coordinator epoch
 * TRANSACTION_COORDINATOR_FENCED. Markers for `__consumer_offsets` are not supported: a group's
 * pending offsets are resolved only by the transaction coordinator. As in Kafka, it needs
 * CLUSTER_ACTION on the cluster (CLUSTER_AUTHORIZATION_FAILED on every partition).
 */
export const writeTxnMarkersHandler = defineHandler({
  apiKey: 27,
  minVersion: 0,
  maxVersion: 1,
  async handle(rctx, request) {
    if (!allowedOnCluster(rctx, Op.CLUSTER_ACTION)) return errorAnswer(request, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    const markers: WriteTxnMarkersWritableTxnMarkerResultInit[] = [];
    const written = new Set<PartitionLog>();
    for (const m of request.markers) markers.push(await writeMarker(rctx, m, written));
    if (rctx.broker.config.flushPolicy === 'acks-all') await Promise.all([...written].map((log) => log.sync()));
    return { markers };
  },
  errorResponse: (request, errorCode) => errorAnswer(request, errorCode),
});

function errorAnswer(request: WriteTxnMarkersRequest, errorCode: number): WriteTxnMarkersResponseInit {
  return {
    markers: request.markers.map((m) => ({
      producerId: m.producerId,
      topics: m.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode })) })),
    })),
  };
}

async function writeMarker(rctx: RequestContext, m: WriteTxnMarkersWritableTxnMarker, written: Set<PartitionLog>): Promise<WriteTxnMarkersWritableTxnMarkerResultInit> {
  const ctx = rctx.broker;
  const topics = [];
  for (const t of m.topics) {
    const topic = visibleTopic(ctx, t.name);
    const partitions = [];
    for (const partitionIndex of t.partitionIndexes) {
      const log = topic === undefined ? undefined : ctx.store.partition(topic.name, partitionIndex);
      let errorCode: number = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (log !== undefined) {
        errorCode = log.producers.checkMarker(m.producerId, m.producerEpoch, m.coordinatorEpoch);
        if (errorCode === ErrorCode.NONE) {
          const nowMs = ctx.clock.nowMs();
          const batch = await encodeEndTxnMarker({ producerId: m.producerId, producerEpoch: m.producerEpoch, committed: m.transactionResult, coordinatorEpoch: m.coordinatorEpoch, timestampMs: nowMs });
          try {
            log.append(batch, nowMs);
            written.add(log);
            ctx.log.info('transaction marker written on request', { topic: t.name, partition: partitionIndex, producerId: m.producerId, result: m.transactionResult ? 'commit' : 'abort' });
          } catch (err) {
            ctx.log.error('append failed', { topic: t.name, partition: partitionIndex, error: (err as Error).message });
            errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
          }
        }
      }
      if (errorCode !== ErrorCode.NONE) reportRejection(rctx, 'WriteTxnMarkers', { topic: t.name, partition: partitionIndex, errorCode, detail: `marker for producer ${m.producerId} epoch ${m.producerEpoch}` });
      partitions.push({ partitionIndex, errorCode });
    }
    topics.push({ name: t.name, partitions });
  }
  return { producerId: m.producerId, topics };
}
