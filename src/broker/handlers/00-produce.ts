import { ErrorCode, errorName } from '../../protocol/errors.js';
import { ATTR_TRANSACTIONAL, BATCH, type BatchHeader } from '../../protocol/record-batch-header.js';
import type {
  ProducePartitionProduceData,
  ProducePartitionProduceResponseInit,
  ProduceRequest,
  ProduceTopicProduceResponseInit,
} from '../../protocol/messages/index.js';
import type { PartitionLog, TopicInfo } from '../../storage/types.js';
import { allowedOnTopic, allowedOnTransactionalId, mayCreateTopic, Op } from '../authorize.js';
import { validateProducedBatch } from '../batch-validation.js';
import { afterQueuedAppends, findKeylessRecords, hasQueuedAppend, isCompactedTopic, keylessRecordsResponse } from '../compacted-produce.js';
import { BROKER_EVENTS, brokerEventWanted, publishBrokerEvent } from '../events.js';
import { defineHandler, NO_RESPONSE, type RequestContext } from '../handler.js';
import { reportRejection } from '../rejections.js';
import { checkBatchTimestamps, timestampBounds } from '../timestamp-bounds.js';
import { topicMessageMaxBytes } from '../topic-configs.js';
import { findOrAutoCreateTopic, partitionLog, visibleTopic } from '../topics.js';

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
      // Without an authorizer allowedOnTopic is one null check (nothing else on the hot path).
      const authorized = rejectAll === null && allowedOnTopic(rctx, Op.WRITE, topicData.name);
      const lookup = authorized ? await findOrAutoCreateTopic(ctx, topicData.name, ctx.acls === null || visibleTopic(ctx, topicData.name) !== undefined || mayCreateTopic(rctx, topicData.name)) : null;
      for (const data of topicData.partitionData) {
        let outcome: PartitionOutcome;
        if (rejectAll !== null) {
          outcome = partitionError(data.index, rejectAll.errorCode, rejectAll.detail);
        } else if (!authorized) {
          outcome = partitionError(data.index, ErrorCode.TOPIC_AUTHORIZATION_FAILED, null);
        } else if (lookup !== null && 'errorCode' in lookup) {
          outcome = partitionError(data.index, lookup.errorCode, lookup.detail);
        } else {
          const appended = appendPartition(rctx, request.transactionalId, lookup!.topic, data);
          outcome = appended instanceof Promise ? await appended : appended;
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
  }
  // Kafka: transactional records need WRITE on the transactional id, else the whole request fails.
  if (rejection === null && rctx.broker.acls !== null && hasTransactionalRecords(request) && (request.transactionalId === null || !allowedOnTransactionalId(rctx, Op.WRITE, request.transactionalId))) {
    return { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, detail: `transactional id ${JSON.stringify(request.transactionalId)}` };
  }
  if (rejection !== null) reportRejection(rctx, 'Produce', rejection);
  return rejection;
}

/** Whether any partition's batch is transactional (read from the attributes of its header only). */
function hasTransactionalRecords(request: ProduceRequest): boolean {
  for (const t of request.topicData) {
    for (const p of t.partitionData) {
      const r = p.records;
      if (r !== null && r.length >= BATCH.HEADER_BYTES && (r.readInt16BE(BATCH.ATTRIBUTES) & ATTR_TRANSACTIONAL) !== 0) return true;
    }
  }
  return false;
}

function appendPartition(rctx: RequestContext, transactionalId: string | null, topic: TopicInfo, data: ProducePartitionProduceData): PartitionOutcome | Promise<PartitionOutcome> {
  const ctx = rctx.broker;
  const found = partitionLog(ctx, topic, data.index);
  if ('errorCode' in found) return partitionError(data.index, found.errorCode, found.detail);
  const log = found.log;
  const maxBytes = topicMessageMaxBytes(ctx.config, topic.configs);
  const validation = validateProducedBatch(data.records, rctx.version, maxBytes);
  if (!validation.ok) return partitionError(data.index, validation.errorCode, validation.detail);
  const timestamps = checkBatchTimestamps(validation.header, ctx.clock.nowMs(), timestampBounds(topic.configs));
  if (timestamps !== null) return partitionError(data.index, timestamps.errorCode, timestamps.detail);
  if (isCompactedTopic(topic.configs)) return appendToCompactedPartition(rctx, transactionalId, topic, data, log, validation.header);
  return appendValidBatch(rctx, transactionalId, topic, data, log, validation.header);
}

/** Compacted topics refuse records without a key, which takes reading the batch's records first. */
function appendToCompactedPartition(rctx: RequestContext, transactionalId: string | null, topic: TopicInfo, data: ProducePartitionProduceData, log: PartitionLog, header: BatchHeader): PartitionOutcome | Promise<PartitionOutcome> {
  const decide = (keyless: number[]): PartitionOutcome =>
    keyless.length > 0 ? { response: keylessRecordsResponse(data.index, topic.name, data.index, keyless) } : appendValidBatch(rctx, transactionalId, topic, data, log, header);
  const unreadable = (err: unknown): PartitionOutcome => partitionError(data.index, ErrorCode.CORRUPT_MESSAGE, `unreadable records: ${(err as Error).message}`);
  let keyless: number[] | Promise<number[]>;
  try {
    keyless = findKeylessRecords(data.records!);
  } catch (err) {
    return unreadable(err);
  }
  if (!(keyless instanceof Promise) && !hasQueuedAppend(log)) return decide(keyless);
  if (keyless instanceof Promise) keyless.catch(() => {});
  return afterQueuedAppends(log, async () => {
    try {
      return decide(await keyless);
    } catch (err) {
      return unreadable(err);
    }
  });
}

function appendValidBatch(rctx: RequestContext, transactionalId: string | null, topic: TopicInfo, data: ProducePartitionProduceData, log: PartitionLog, header: BatchHeader): PartitionOutcome {
  const ctx = rctx.broker;
  if ((header.attributes & ATTR_TRANSACTIONAL) !== 0) {
    const refused = verifyTransactionalBatch(rctx, transactionalId, log, header);
    if (refused !== null) return partitionError(data.index, refused.errorCode, refused.detail);
  }
  if (header.producerId >= 0) {
    const check = log.producers.check(header);
    if (check.kind === 'error') return partitionError(data.index, check.errorCode, check.detail);
    if (check.kind === 'duplicate') {
      // A retry of a batch we already stored: acknowledge it again with its original offset.
      ctx.log.debug('duplicate batch acknowledged again', { topic: topic.name, partition: data.index, producerId: header.producerId, baseSequence: header.baseSequence });
      return { response: { index: data.index, errorCode: ErrorCode.NONE, baseOffset: check.firstOffset, logAppendTimeMs: -1, logStartOffset: log.logStartOffset } };
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
  return {
    response: { index: data.index, errorCode: ErrorCode.NONE, baseOffset, logAppendTimeMs: -1, logStartOffset: log.logStartOffset },
    appendedTo: log,
  };
}

/**
 * KIP-890 verification of a transactional batch, asked of the in-process transaction coordinator
 * unless the producer already has a transaction open in this partition under the same epoch: the
 * partition must be part of the producer's running transaction. Errors as Kafka's
 * AddPartitionsToTxnManager hands them to Produce clients: a partition not added is
 * INVALID_TXN_STATE, a fenced producer INVALID_PRODUCER_EPOCH, and a coordinator busy ending the
 * transaction NOT_ENOUGH_REPLICAS (retriable without a metadata refresh).
 */
function verifyTransactionalBatch(rctx: RequestContext, transactionalId: string | null, log: PartitionLog, header: BatchHeader): { errorCode: number; detail: string } | null {
  if (log.producers.hasOngoingTransaction(header.producerId, header.producerEpoch)) return null;
  if (transactionalId === null) {
    // Kafka skips verification without a transactional id; Samsa refuses, so that no transaction
    // can start in a partition its coordinator does not know (it would hold the LSO for ever).
    return { errorCode: ErrorCode.INVALID_TXN_STATE, detail: 'a transactional batch needs the request to carry its transactional id' };
  }
  const code = rctx.broker.txn.verifyPartition(transactionalId, header.producerId, header.producerEpoch, log.topic, log.partition);
  switch (code) {
    case ErrorCode.NONE:
      return null;
    case ErrorCode.TRANSACTION_ABORTABLE:
      return { errorCode: ErrorCode.INVALID_TXN_STATE, detail: `partition ${log.topic}-${log.partition} was not added to the transaction of ${JSON.stringify(transactionalId)}` };
    case ErrorCode.PRODUCER_FENCED:
      return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, detail: `producer epoch ${header.producerEpoch} of ${JSON.stringify(transactionalId)} is fenced` };
    case ErrorCode.CONCURRENT_TRANSACTIONS:
    case ErrorCode.NOT_COORDINATOR:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      return { errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, detail: `unable to verify the partition is in the transaction: ${errorName(code)}` };
    default:
      return { errorCode: code, detail: `transactional id ${JSON.stringify(transactionalId)}: ${errorName(code)}` };
  }
}
