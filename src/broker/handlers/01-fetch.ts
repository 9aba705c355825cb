import { ErrorCode } from '../../protocol/errors.js';
import type { FetchableTopicResponseInit, FetchPartitionDataInit, FetchRequest } from '../../protocol/messages/index.js';
import { BATCH, readInt64 } from '../../protocol/record-batch-header.js';
import { OffsetOutOfRangeError, type PartitionLog } from '../../storage/types.js';
import { allowedOnTopic, Op } from '../authorize.js';
import type { BrokerContext } from '../context.js';
import { waitForAppend } from '../fetch-waiter.js';
import { BROKER_EVENTS, brokerEventWanted, publishBrokerEvent } from '../events.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { reportRejection } from '../rejections.js';
import { partitionLog, topicById, visibleTopic } from '../topics.js';

const READ_COMMITTED = 1;

/** One pass over the requested partitions. */
interface FetchRound {
  responses: FetchableTopicResponseInit[];
  bytes: number;
  /** A partition answered with an error: Kafka answers such a fetch at once. */
  hasError: boolean;
  /** Logs of the partitions that exist, to wait on. */
  logs: PartitionLog[];
  /** Partitions that returned records (only gathered while someone listens for records-fetched). */
  fetched: Array<{ topic: string; partition: number; bytes: number }> | null;
  /** A partition was held back by the fault-injection seam: its resume must wake a parked fetch. */
  paused: boolean;
}

/** From v13 requests and responses name topics by id (KIP-516). */
const TOPIC_IDS_FROM_VERSION = 13;

/**
 * Fetch v4-16 (v13+ name topics by id). Sessionless (KIP-227 sessions are optional for a broker:
 * answering SessionId 0 keeps every fetch a full one), long polling on `MaxWaitMs` and `MinBytes`:
 * a fetch that finds fewer than MinBytes parks until data is appended to one of its partitions or
 * MaxWaitMs passes. Records are the stored batches, handed to the socket without copying.
 */
export const fetchHandler = defineHandler({
  apiKey: 1,
  minVersion: 4,
  maxVersion: 16,
  async handle(rctx, request) {
    const ctx = rctx.broker;
    if (request.sessionId !== 0) {
      reportRejection(rctx, 'Fetch', { errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, detail: `fetch session ${request.sessionId} does not exist (sessions are not supported)` });
      return { errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
    }
    const startedMs = performance.now();
    let round = await fetchRound(rctx, request);
    while (round.bytes < request.minBytes && !round.hasError && round.logs.length > 0) {
      const leftMs = request.maxWaitMs - (performance.now() - startedMs);
      if (leftMs <= 0) break;
      const faults = ctx.faults;
      const outcome = await waitForAppend(round.logs, leftMs, ctx.closing, round.paused && faults !== null ? (wake) => faults.onceFetchesResumed(wake) : undefined);
      if (outcome === 'closing') break;
      round = await fetchRound(rctx, request);
      if (outcome === 'timeout') break;
    }
    if (round.fetched !== null) {
      for (const f of round.fetched) publishBrokerEvent(BROKER_EVENTS.recordsFetched, { nodeId: ctx.config.nodeId, port: ctx.config.port, ...f });
    }
    return { errorCode: ErrorCode.NONE, sessionId: 0, responses: round.responses };
  },
  errorResponse(_request, errorCode) {
    return { errorCode, sessionId: 0, responses: [] };
  },
});

async function fetchRound(rctx: RequestContext, request: FetchRequest): Promise<FetchRound> {
  const ctx = rctx.broker;
  const round: FetchRound = { responses: [], bytes: 0, hasError: false, logs: [], fetched: brokerEventWanted(BROKER_EVENTS.recordsFetched) ? [] : null, paused: false };
  // KIP-74: the request's MaxBytes is a soft limit: the first batch found is returned whole even
  // when larger, so that a consumer always makes progress; after that the budget is strict.
  let budgetBytes = request.maxBytes;
  for (const t of request.topics) {
    const byId = rctx.version >= TOPIC_IDS_FROM_VERSION;
    const topic = byId ? topicById(ctx, t.topicId) : visibleTopic(ctx, t.topic);
    const unknownTopicError = byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const partitions: FetchPartitionDataInit[] = [];
    // Kafka checks READ before existence for a named topic; a topic id must resolve first.
    const name = byId ? topic?.name : t.topic;
    if (name !== undefined && !allowedOnTopic(rctx, Op.READ, name)) {
      round.hasError = true;
      for (const p of t.partitions) partitions.push(errorPartition(p.partition, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
      round.responses.push({ topic: t.topic, topicId: t.topicId, partitions });
      continue;
    }
    if (topic === undefined) {
      const detail = byId ? `no topic with id ${t.topicId}` : `topic '${t.topic}' does not exist`;
      reportRejection(rctx, 'Fetch', { topic: byId ? t.topicId : t.topic, errorCode: unknownTopicError, detail });
    }
    for (const p of t.partitions) {
      const found = partitionLog(ctx, topic, p.partition);
      if ('errorCode' in found) {
        round.hasError = true;
        if (found.errorCode === ErrorCode.KAFKA_STORAGE_ERROR) reportRejection(rctx, 'Fetch', { topic: topic!.name, partition: p.partition, errorCode: found.errorCode, detail: found.detail });
        partitions.push(errorPartition(p.partition, topic === undefined ? unknownTopicError : found.errorCode));
        continue;
      }
      const log = found.log;
      round.logs.push(log);
      const paused = ctx.faults !== null && ctx.faults.fetchPaused(topic!.name, p.partition);
      round.paused ||= paused;
      const data = await readPartition(rctx, ctx, log, p.partition, p.fetchOffset, paused ? 0 : Math.min(p.partitionMaxBytes, budgetBytes), !paused && round.bytes === 0, request.isolationLevel === READ_COMMITTED);
      if (data.errorCode !== ErrorCode.NONE) {
        round.hasError = true;
        reportRejection(rctx, 'Fetch', { topic: topic!.name, partition: p.partition, errorCode: data.errorCode, detail: `fetch offset ${p.fetchOffset} is outside [${data.logStartOffset}, ${data.highWatermark}]` });
      }
      round.bytes += data.bytes;
      if (round.fetched !== null && data.bytes > 0) round.fetched.push({ topic: topic!.name, partition: p.partition, bytes: data.bytes });
      budgetBytes = Math.max(0, budgetBytes - data.bytes);
      partitions.push(data.partition);
    }
    round.responses.push({ topic: t.topic, topicId: t.topicId, partitions });
  }
  return round;
}

interface PartitionRead {
  partition: FetchPartitionDataInit;
  bytes: number;
  errorCode: number;
  logStartOffset: number;
  highWatermark: number;
}

/**
 * One partition's data. The high watermark is the log end (one node). A READ_COMMITTED fetch
 * stops at the last stable offset, before the first batch of the oldest open transaction, and
 * carries the aborted transactions that overlap what it returns, so the consumer can drop their
 * records (KIP-98); the broker only reads batch headers to find where to stop.
 */
async function readPartition(
  rctx: RequestContext,
  ctx: BrokerContext,
  log: PartitionLog,
  partitionIndex: number,
  fetchOffset: number,
  maxBytes: number,
  mayExceedBudget: boolean,
  readCommitted: boolean,
): Promise<PartitionRead> {
  const highWatermark = log.logEndOffset;
  const logStartOffset = log.logStartOffset;
  // The LSO never moves back, so data below it now is stable whatever is appended meanwhile.
  const lastStableOffset = log.producers.lastStableOffset(highWatermark);
  const readUpTo = readCommitted ? lastStableOffset : highWatermark;
  const base = { partitionIndex, highWatermark, lastStableOffset, logStartOffset, preferredReadReplica: -1, abortedTransactions: [] };
  if (fetchOffset < logStartOffset || fetchOffset > highWatermark) {
    const errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
    return { partition: { ...base, errorCode, records: [] }, bytes: 0, errorCode, logStartOffset, highWatermark };
  }
  if (fetchOffset >= readUpTo || (maxBytes <= 0 && !mayExceedBudget)) {
    return { partition: { ...base, errorCode: ErrorCode.NONE, records: [] }, bytes: 0, errorCode: ErrorCode.NONE, logStartOffset, highWatermark };
  }
  try {
    const read = await log.read(fetchOffset, Math.max(1, maxBytes));
    // Views of recycled buffers stay held until the response carrying them is on the socket.
    if (read.release !== undefined) rctx.holdUntilSent?.(read.release);
    const result = readCommitted ? { ...read, ...batchesBelow(read.chunks, readUpTo) } : { ...read, upperBoundOffset: -1 };
    // Only the first partition with data may go over the budget (KIP-74).
    const keep = mayExceedBudget || result.bytes <= maxBytes;
    return {
      partition: {
        ...base,
        highWatermark: result.logEndOffset,
        lastStableOffset: log.producers.lastStableOffset(result.logEndOffset),
        logStartOffset: result.logStartOffset,
        errorCode: ErrorCode.NONE,
        records: keep ? result.chunks : [],
        abortedTransactions: keep && readCommitted && result.bytes > 0 ? log.producers.abortedTransactions(fetchOffset, result.upperBoundOffset) : [],
      },
      bytes: keep ? result.bytes : 0,
      errorCode: ErrorCode.NONE,
      logStartOffset: result.logStartOffset,
      highWatermark: result.logEndOffset,
    };
  } catch (err) {
    if (err instanceof OffsetOutOfRangeError) {
      const errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
      return { partition: { ...base, errorCode, records: [] }, bytes: 0, errorCode, logStartOffset: err.logStartOffset, highWatermark: err.logEndOffset };
    }
    ctx.log.error('read failed', { topic: log.topic, partition: partitionIndex, error: (err as Error).message });
    const errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
    return { partition: { ...base, errorCode, records: [] }, bytes: 0, errorCode, logStartOffset, highWatermark };
  }
}

/**
 * The leading whole batches of `chunks` that start below `endOffset` (the LSO), found from their
 * headers, and the offset that follows the last of them.
 */
function batchesBelow(chunks: Buffer[], endOffset: number): { chunks: Buffer[]; bytes: number; upperBoundOffset: number } {
  const kept: Buffer[] = [];
  let bytes = 0;
  let upperBoundOffset = -1;
  for (const chunk of chunks) {
    let pos = 0;
    while (pos + BATCH.HEADER_BYTES <= chunk.length) {
      const baseOffset = readInt64(chunk, pos + BATCH.BASE_OFFSET);
      if (baseOffset >= endOffset) break;
      upperBoundOffset = baseOffset + chunk.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA) + 1;
      pos += chunk.readInt32BE(pos + BATCH.BATCH_LENGTH) + BATCH.LOG_OVERHEAD;
    }
    if (pos > 0) {
      kept.push(pos === chunk.length ? chunk : chunk.subarray(0, pos));
      bytes += pos;
    }
    if (pos < chunk.length) break;
  }
  return { chunks: kept, bytes, upperBoundOffset };
}

function errorPartition(partitionIndex: number, errorCode: number): FetchPartitionDataInit {
  return { partitionIndex, errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: [] };
}
