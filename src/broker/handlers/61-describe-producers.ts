import { ErrorCode } from '../../protocol/errors.js';
import { allowedOnTopic, Op } from '../authorize.js';
import { defineHandler } from '../handler.js';
import { visibleTopic } from '../topics.js';

/**
 * DescribeProducers v0 (KIP-664): the producers a partition knows, with their epoch, last
 * sequence and timestamp, and the start offset of any transaction they have open there (how
 * tools find hanging transactions). A topic needs READ (TOPIC_AUTHORIZATION_FAILED), as in Kafka.
 */
export const describeProducersHandler = defineHandler({
  apiKey: 61,
  minVersion: 0,
  maxVersion: 0,
  handle(rctx, request) {
    const ctx = rctx.broker;
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          if (!allowedOnTopic(rctx, Op.READ, t.name)) return { partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null, activeProducers: [] };
          const topic = visibleTopic(ctx, t.name);
          const log = topic === undefined ? undefined : ctx.store.partition(topic.name, partitionIndex);
          if (log === undefined) return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, activeProducers: [] };
          return {
            partitionIndex,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            activeProducers: log.producers.activeProducers().map((p) => ({
              producerId: p.producerId,
              producerEpoch: p.producerEpoch,
              lastSequence: p.batches.at(-1)?.lastSequence ?? -1,
              lastTimestamp: p.lastTimestamp,
              coordinatorEpoch: p.coordinatorEpoch,
              currentTxnStartOffset: p.currentTxnFirstOffset,
            })),
          };
        }),
      })),
    };
  },
  errorResponse: (request, errorCode) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode, errorMessage: null, activeProducers: [] })) })),
  }),
});
