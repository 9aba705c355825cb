import { ErrorCode } from '../../protocol/errors.js';
import type {
  ProducePartitionProduceData,
  ProducePartitionProduceResponseInit,
  ProduceRequest,
  ProduceTopicProduceResponseInit,
} from '../../protocol/messages/index.js';
import type { PartitionLog, TopicInfo } from '../../storage/types.js';
import { validateProducedBatch } from '../batch-validation.js';
import { BROKER_EVENTS, brokerEventWanted, publishBrokerEvent } from '../events.js';
import { defineHandler, NO_RESPONSE, type RequestContext } from '../handler.js';
import { reportRejection } from '../rejections.js';
import { topicMessageMaxBytes } from '../topic-configs.js';
import { findOrAutoCreateTopic } from '../topics.js';

/**
 * Produce v3+ carries RecordBatch v2. We advertise from v0 because librdkafka turns compression
 * off unless the Produce range reaches down to v0 (KAFKA-18659), and answer v0-v2, whose message
 * sets we do not store, with UNSUPPORTED_FOR_MESSAGE_FORMAT per partition, appending nothing.
 */
const FIRST_BATCH_V2_VERSION = 3;

interface PartitionOutcome {
  response: ProducePartitionProduceResponseInit;
  /** The log to sync before answering an acks=-1 request, when something was appended. */
  appendedTo?: PartitionLog;
}

function partitionError(index: number, errorCode: number, errorMessage: string | null = null): PartitionOutcome {
  return { response: { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage } };
}

export const produceHandler = defineHandler({
  apiKey: 0,
  minVersion: 0,
  maxVersion: 9,
  async handle(rctx, request) {
    const ctx = rctx.broker;
    const responses: ProduceTopicProduceResponseInit[] = [];
    const toSync = new Set<PartitionLog>();
    const rejectAll = rejectionFor(rctx, request);
    for (const topicData of request.topicData) {
      const partitionResponses: ProducePartitionProduceResponseInit[] = [];
      const lookup = rejectAll === null ? await findOrAutoCreateTopic(ctx, topicData.name, true) : null;
      for (const data of topicData.partitionData) {
        let outcome: PartitionOutcome;
        if (rejectAll !== null) {
          outcome = partitionError(data.index, rejectAll.errorCode, rejectAll.detail);
        } else if (lookup !== null && 'errorCode' in lookup) {
          outcome = partitionError(data.index, lookup.errorCode, lookup.detail);
        } else {
          outcome = appendPartition(rctx, lookup!.topic, data);
        }
        if (outcome.response.errorCode !== ErrorCode.NONE && rejectAll === null) {
          reportRejection(rctx, 'Produce', {
            topic: topicData.name,
            partition: data.index,
            errorCode: outcome.response.errorCode,
            detail: outcome.response.errorMessage ?? '',
          });
        }
        if (outcome.appendedTo !== undefined) toSync.add(outcome.appendedTo);
        partitionResponses.push(outcome.response);
      }
      responses.push({ name: topicData.name, partitionResponses });
    }
    if (request.acks === 0) return NO_RESPONSE;
    // acks=all means "on disk" under the acks-all flush policy: one fdatasync per partition,
    // shared with every other request that arrived meanwhile (group commit in the storage layer).
    if (request.acks === -1 && ctx.config.flushPolicy === 'acks-all' && toSync.size > 0) {
      await Promise.all([...toSync].map((log) => log.sync()));
    }
    return { responses, throttleTimeMs: 0 };
  },
  errorResponse(request, errorCode) {
    return {
      responses: request.topicData.map((t) => ({
        name: t.name,
        partitionResponses: t.partitionData.map((p) => partitionError(p.index, errorCode).response),
      })),
    };
  },
});

/** An error that applies to every partition of the request, or null. */
function rejectionFor(rctx: RequestContext, request: ProduceRequest): { errorCode: number; detail: string } | null {
  let rejection: { errorCode: number; detail: string } | null = null;
  if (rctx.version < FIRST_BATCH_V2_VERSION) {
    rejection = { errorCode: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, detail: `Produce v${rctx.version} message sets (magic 0/1) are not supported; use v3+` };
  } else if (request.acks !== 0 && request.acks !== 1 && request.acks !== -1) {
    rejection = { errorCode: ErrorCode.INVALID_REQUIRED_ACKS, detail: `acks must be 0, 1 or -1, got ${request.acks}` };
  } else if (request.transactionalId !== null) {
    rejection = { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, detail: 'transactions are not supported' };
  }
  if (rejection !== null) reportRejection(rctx, 'Produce', rejection);
  return rejection;
}

function appendPartition(rctx: RequestContext, topic: TopicInfo, data: ProducePartitionProduceData): PartitionOutcome {
  const ctx = rctx.broker;
  const log = ctx.store.partition(topic.name, data.index);
  if (log === undefined) {
    return partitionError(data.index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${topic.name}' has no partition ${data.index}`);
  }
  const maxBytes = topicMessageMaxBytes(ctx.config, topic.configs);
  const validation = validateProducedBatch(data.records, rctx.version, maxBytes);
  if (!validation.ok) return partitionError(data.index, validation.errorCode, validation.detail);
  const header = validation.header;
  const idempotent = header.producerId >= 0;
  if (idempotent) {
    const check = ctx.producers.check(topic.name, data.index, header.producerId, header.producerEpoch, header.baseSequence, header.lastOffsetDelta);
    if (check.kind === 'error') return partitionError(data.index, check.errorCode, check.detail);
    if (check.kind === 'duplicate') {
      // A retry of a batch we already stored: acknowledge it again with its original offset.
      ctx.log.debug('duplicate batch acknowledged again', { topic: topic.name, partition: data.index, producerId: header.producerId, baseSequence: header.baseSequence });
      return { response: { index: data.index, errorCode: ErrorCode.NONE, baseOffset: check.baseOffset, logAppendTimeMs: -1, logStartOffset: log.logStartOffset } };
    }
  }
  let baseOffset: number;
  try {
    baseOffset = log.append(data.records!, ctx.clock.nowMs()).baseOffset;
  } catch (err) {
    ctx.log.error('append failed', { topic: topic.name, partition: data.index, error: (err as Error).message });
    return partitionError(data.index, ErrorCode.KAFKA_STORAGE_ERROR, 'the partition could not be written');
  }
  if (brokerEventWanted(BROKER_EVENTS.recordsAppended)) {
    publishBrokerEvent(BROKER_EVENTS.recordsAppended, {
      nodeId: ctx.config.nodeId, port: ctx.config.port, topic: topic.name, partition: data.index, baseOffset, records: header.lastOffsetDelta + 1, bytes: data.records!.length,
    });
  }
  if (idempotent) {
    ctx.producers.record(topic.name, data.index, header.producerId, header.producerEpoch, header.baseSequence, header.lastOffsetDelta, baseOffset);
  }
  return {
    response: { index: data.index, errorCode: ErrorCode.NONE, baseOffset, logAppendTimeMs: -1, logStartOffset: log.logStartOffset },
    appendedTo: log,
  };
}
