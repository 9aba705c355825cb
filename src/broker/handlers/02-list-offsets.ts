import { ErrorCode } from '../../protocol/errors.js';
import type { ListOffsetsPartition, ListOffsetsPartitionResponseInit } from '../../protocol/messages/index.js';
import type { PartitionLog } from '../../storage/types.js';
import { allowedOnTopic, Op } from '../authorize.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { reportRejection } from '../rejections.js';
import { partitionLog, visibleTopic } from '../topics.js';
import { legacyOffsetsBefore } from '../legacy-offsets.js';
import { offsetForTimestamp, offsetOfMaxTimestamp } from '../record-timestamps.js';

/** ListOffsets special timestamps (KIP-79, KIP-734). */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;
const MAX_TIMESTAMP_MIN_VERSION = 7;
/** ListOffsets v2+ IsolationLevel (KIP-98). */
const READ_COMMITTED = 1;

/**
 * ListOffsets v0-7. v1+: -1: the log end, or for READ_COMMITTED (v2+) the last stable offset;
 * -2: the log start; -3 (v7+): the record with the largest timestamp; any other timestamp: the
 * first record whose timestamp is at or after it, or -1/-1 when there is none. v0 (still sent by
 * old clients, served by Kafka 3.x): up to MaxNumOffsets segment-granular OldStyleOffsets.
 */
export const listOffsetsHandler = defineHandler({
  apiKey: 2,
  minVersion: 0,
  maxVersion: 7,
  async handle(rctx, request) {
    const ctx = rctx.broker;
    const topics = [];
    for (const t of request.topics) {
      const topic = visibleTopic(ctx, t.name);
      const partitions: ListOffsetsPartitionResponseInit[] = [];
      if (!allowedOnTopic(rctx, Op.DESCRIBE, t.name)) {
        for (const p of t.partitions) partitions.push({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, timestamp: -1, offset: -1, leaderEpoch: -1 });
        topics.push({ name: t.name, partitions });
        continue;
      }
      for (const p of t.partitions) {
        const found = partitionLog(ctx, topic, p.partitionIndex);
        if ('errorCode' in found) {
          reportRejection(rctx, 'ListOffsets', { topic: t.name, partition: p.partitionIndex, errorCode: found.errorCode, detail: found.detail });
          partitions.push({ partitionIndex: p.partitionIndex, errorCode: found.errorCode, timestamp: -1, offset: -1, leaderEpoch: -1 });
          continue;
        }
        partitions.push(rctx.version === 0 ? lookUpV0(rctx, found.log, p) : await lookUp(rctx, found.log, p, request.isolationLevel === READ_COMMITTED));
      }
      topics.push({ name: t.name, partitions });
    }
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(request, errorCode) {
    return {
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode, timestamp: -1, offset: -1 })),
      })),
    };
  },
});

async function lookUp(rctx: RequestContext, log: PartitionLog, p: ListOffsetsPartition, readCommitted: boolean): Promise<ListOffsetsPartitionResponseInit> {
  // READ_COMMITTED answers nothing at or past the last stable offset, as Kafka does.
  const lastFetchable = readCommitted ? log.producers.lastStableOffset(log.logEndOffset) : log.logEndOffset;
  const found = (offset: number, timestamp = -1): ListOffsetsPartitionResponseInit => {
    if (readCommitted && offset >= lastFetchable && p.timestamp !== LATEST_TIMESTAMP && p.timestamp !== EARLIEST_TIMESTAMP) {
      offset = -1;
      timestamp = -1;
    }
    return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, timestamp, offset, leaderEpoch: offset >= 0 ? 0 : -1 };
  };
  if (p.timestamp === LATEST_TIMESTAMP) return found(lastFetchable);
  if (p.timestamp === EARLIEST_TIMESTAMP) return found(log.logStartOffset);
  if (p.timestamp === MAX_TIMESTAMP && rctx.version >= MAX_TIMESTAMP_MIN_VERSION) {
    const max = await offsetOfMaxTimestamp(log);
    return max === null ? found(-1) : found(max.offset, max.timestamp);
  }
  if (p.timestamp < 0) {
    const detail = `unsupported special timestamp ${p.timestamp} in v${rctx.version}`;
    reportRejection(rctx, 'ListOffsets', { topic: log.topic, partition: p.partitionIndex, errorCode: ErrorCode.INVALID_REQUEST, detail });
    return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.INVALID_REQUEST, timestamp: -1, offset: -1, leaderEpoch: -1 };
  }
  const hit = await offsetForTimestamp(log, p.timestamp);
  return hit === null ? found(-1) : found(hit.offset, hit.timestamp);
}

function lookUpV0(rctx: RequestContext, log: PartitionLog, p: ListOffsetsPartition): ListOffsetsPartitionResponseInit {
  const input = { segments: log.segmentSummaries(), logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset, nowMs: rctx.broker.clock.nowMs() };
  return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, oldStyleOffsets: legacyOffsetsBefore(input, p.timestamp, p.maxNumOffsets) };
}
