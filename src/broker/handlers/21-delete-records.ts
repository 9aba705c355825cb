import { ErrorCode } from '../../protocol/errors.js';
import type { DeleteRecordsPartitionResultInit } from '../../protocol/messages/index.js';
import { allowedOnTopic, Op } from '../authorize.js';
import { BROKER_EVENTS, publishBrokerEvent } from '../events.js';
import { defineHandler } from '../handler.js';
import { reportRejection } from '../rejections.js';
import { partitionLog, visibleTopic } from '../topics.js';

/** DeleteRecords offset meaning "up to the high watermark" (everything). */
const HIGH_WATERMARK = -1;

/**
 * DeleteRecords v0-2: moves a partition's log start offset forward (never back). The answer's
 * LowWatermark is the new log start offset. The topic needs DELETE (TOPIC_AUTHORIZATION_FAILED), as in Kafka.
 */
export const deleteRecordsHandler = defineHandler({
  apiKey: 21,
  minVersion: 0,
  maxVersion: 2,
  async handle(rctx, request) {
    const ctx = rctx.broker;
    const topics = [];
    for (const t of request.topics) {
      const topic = visibleTopic(ctx, t.name);
      const partitions: DeleteRecordsPartitionResultInit[] = [];
      if (!allowedOnTopic(rctx, Op.DELETE, t.name)) {
        for (const p of t.partitions) partitions.push({ partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
        topics.push({ name: t.name, partitions });
        continue;
      }
      for (const p of t.partitions) {
        const found = partitionLog(ctx, topic, p.partitionIndex);
        const reject = (errorCode: number, detail: string): void => {
          reportRejection(rctx, 'DeleteRecords', { topic: t.name, partition: p.partitionIndex, errorCode, detail });
          partitions.push({ partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode });
        };
        if ('errorCode' in found) {
          reject(found.errorCode, found.detail);
          continue;
        }
        const log = found.log;
        const offset = p.offset === HIGH_WATERMARK ? log.logEndOffset : p.offset;
        if (offset < 0 || offset > log.logEndOffset) {
          reject(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${p.offset} is outside [0, ${log.logEndOffset}]`);
          continue;
        }
        const lowWatermark = await log.deleteRecordsBefore(offset);
        ctx.log.info('records deleted', { topic: t.name, partition: p.partitionIndex, logStartOffset: lowWatermark });
        publishBrokerEvent(BROKER_EVENTS.recordsDeleted, {
          nodeId: ctx.config.nodeId,
          port: ctx.config.port,
          topic: t.name,
          partition: p.partitionIndex,
          logStartOffset: lowWatermark,
        });
        partitions.push({ partitionIndex: p.partitionIndex, lowWatermark, errorCode: ErrorCode.NONE });
      }
      topics.push({ name: t.name, partitions });
    }
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(request, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode })),
      })),
    };
  },
});
