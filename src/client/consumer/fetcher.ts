import { ErrorCode } from '../../protocol/errors.js';
import type { FetchPartitionData } from '../../protocol/messages/index.js';
import { decodeRecordBatches } from '../../protocol/record-batch.js';
import { KafkaError } from '../errors.js';
import type { Cluster } from '../net/cluster.js';
import { sleepMs } from '../net/sleep.js';
import { deliverableRecords } from './committed-records.js';
import { hasLagSubscribers, publishLag } from './events.js';
import type { ResolvedConsumerOptions } from './options.js';
import { fetchBytesOf, nextFetchBytes, type PartitionRegistry, type PartitionState } from './partition-state.js';

const READ_COMMITTED = 1;

/** Errors after which the partition's leader must be looked up again. */
const REFRESH_METADATA_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_ID,
]);

export interface FetcherHooks {
  /** New records were buffered: the processor may deliver. */
  onRecords(): void;
  /** A partition's position is out of range: reset it (autoOffsetReset). */
  onOutOfRange(state: PartitionState): void;
  onError(err: unknown): void;
}

/**
 * One fetch in flight per broker, for the partitions it leads that are assigned, positioned, not
 * paused, and whose buffer holds less than maxBytesPerPartition. So while the application works
 * through what was fetched, the next fetch is already on its way (prefetch), and processing never
 * waits on the network when the broker has data. A fetch waits at most maxWaitMs at the broker,
 * so an idle partition costs one request per maxWaitMs.
 */
export class Fetcher {
  private readonly inFlight = new Set<number>();
  private running = false;
  private metadataRefresh: Promise<void> | null = null;
  private backoffUntilMs = new Map<number, number>();

  constructor(
    private readonly cluster: Cluster,
    private readonly options: ResolvedConsumerOptions,
    private readonly partitions: PartitionRegistry,
    private readonly hooks: FetcherHooks,
  ) {}

  start(): void {
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
  }

  private fetchable(s: PartitionState): boolean {
    return s.position !== null && !s.paused && !s.revoking && !s.fetching && !s.initializing && s.bufferedBytes - s.handedOverBytes < this.fetchBytes(s);
  }

  /** Starts a fetch for every broker that has fetchable partitions and none in flight. */
  schedule(): void {
    if (!this.running) return;
    const byLeader = new Map<number, PartitionState[]>();
    let unknownLeader = false;
    for (const s of this.partitions.all()) {
      if (!this.fetchable(s)) continue;
      const leader = this.cluster.cache.leaderFor(s.topic, s.partition);
      if (leader < 0) {
        unknownLeader = true;
        continue;
      }
      if (this.inFlight.has(leader)) continue;
      let list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, (list = []));
      list.push(s);
    }
    if (unknownLeader) this.refreshMetadata();
    for (const [leader, states] of byLeader) void this.fetchFrom(leader, states);
  }

  private refreshMetadata(): void {
    if (this.metadataRefresh !== null) return;
    const topics = [...new Set(this.partitions.all().map((s) => s.topic))];
    this.metadataRefresh = (async () => {
      try {
        await this.cluster.refreshMetadata(topics);
      } catch {
        await sleepMs(this.cluster.retryDelayMs(0));
      } finally {
        this.metadataRefresh = null;
      }
      this.schedule();
    })();
  }

  private async fetchFrom(leader: number, states: PartitionState[]): Promise<void> {
    const waitMs = (this.backoffUntilMs.get(leader) ?? 0) - this.cluster.options.clock.nowMs();
    this.inFlight.add(leader);
    const requested = states.map((s) => ({ state: s, epoch: s.epoch, offset: s.position! }));
    for (const s of states) s.fetching = true;
    try {
      if (waitMs > 0) await sleepMs(waitMs);
      const byTopic = new Map<string, Array<{ partition: number; fetchOffset: number; partitionMaxBytes: number }>>();
      for (const r of requested) {
        let list = byTopic.get(r.state.topic);
        if (list === undefined) byTopic.set(r.state.topic, (list = []));
        list.push({ partition: r.state.partition, fetchOffset: r.offset, partitionMaxBytes: this.fetchBytes(r.state) });
      }
      const { response } = await this.cluster.request(leader, 1, {
        replicaId: -1,
        maxWaitMs: this.options.maxWaitMs,
        minBytes: this.options.minBytes,
        maxBytes: this.options.maxBytes,
        isolationLevel: this.options.isolationLevel,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
        forgottenTopicsData: [],
        rackId: this.options.clientRack ?? '',
      }, { lane: 'fetch', timeoutMs: this.options.client.requestTimeoutMs + this.options.maxWaitMs, retries: 0 });
      if (response.errorCode !== ErrorCode.NONE) throw new KafkaError(response.errorCode, { api: 'Fetch', broker: leader });
      const data = new Map<string, FetchPartitionData>();
      for (const t of response.responses) for (const p of t.partitions) data.set(`${t.topic}:${p.partitionIndex}`, p);
      let gotRecords = false;
      for (const r of requested) {
        const p = data.get(r.state.key);
        if (p !== undefined && (await this.apply(r.state, r.epoch, r.offset, p))) gotRecords = true;
      }
      this.backoffUntilMs.delete(leader);
      if (gotRecords) this.hooks.onRecords();
    } catch (err) {
      // Transport failures and broker-level errors: back off this broker, look leaders up again.
      this.backoffUntilMs.set(leader, this.cluster.options.clock.nowMs() + this.cluster.retryDelayMs(1));
      for (const r of requested) this.cluster.invalidateTopic(r.state.topic);
      if (!(err instanceof KafkaError)) this.hooks.onError(err);
    } finally {
      for (const r of requested) if (r.state.epoch === r.epoch) r.state.fetching = false;
      this.inFlight.delete(leader);
      this.schedule();
    }
  }

  /** Buffers one partition's answer; returns true when records were added. */
  private async apply(s: PartitionState, epoch: number, fetchOffset: number, p: FetchPartitionData): Promise<boolean> {
    const stale = () => s.epoch !== epoch || s.revoking || this.partitions.get(s.tp) !== s;
    if (stale()) return false;
    if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      this.hooks.onOutOfRange(s);
      return false;
    }
    if (p.errorCode !== ErrorCode.NONE) {
      if (REFRESH_METADATA_ERRORS.has(p.errorCode)) this.cluster.invalidateTopic(s.topic);
      return false;
    }
    // A read_committed consumer's end is the last stable offset: its lag counts to there (as Java's).
    s.highWatermark = this.options.isolationLevel === READ_COMMITTED && p.lastStableOffset >= 0 ? p.lastStableOffset : p.highWatermark;
    const bytes = p.records;
    if (bytes === null || bytes.length === 0) {
      this.reportLag(s);
      return false;
    }
    const batches = await decodeRecordBatches(bytes);
    s.fetchBytes = nextFetchBytes(this.fetchBytes(s), bytes.length, spannedOffsets(batches), this.options.maxBytesPerPartition);
    if (stale()) return false;
    const records = deliverableRecords(batches, fetchOffset, this.options.isolationLevel === READ_COMMITTED ? (p.abortedTransactions ?? []) : null);
    let next = fetchOffset;
    for (const b of batches) {
      // Step over every batch, so compacted gaps, markers and aborted data are not fetched again.
      const batchEnd = b.header.baseOffset + b.header.lastOffsetDelta + 1;
      if (batchEnd > next) next = batchEnd;
    }
    s.position = next;
    this.reportLag(s);
    if (records.length === 0) return false;
    s.buffer.push({ records, index: 0, highWatermark: p.highWatermark, sizeBytes: bytes.length, epoch });
    s.bufferedBytes += bytes.length;
    return true;
  }

  private fetchBytes(s: PartitionState): number {
    return fetchBytesOf(s, this.options.maxBytesPerPartition);
  }

  private reportLag(s: PartitionState): void {
    if (!hasLagSubscribers() || s.position === null) return;
    publishLag({
      clientId: this.options.client.clientId,
      groupId: this.options.groupId,
      topic: s.topic,
      partition: s.partition,
      position: s.position,
      highWatermark: s.highWatermark,
      lag: Math.max(0, s.highWatermark - s.position),
    });
  }
}

/** Offsets from the first batch's base to the last batch's end (records, gaps included). */
function spannedOffsets(batches: ReadonlyArray<{ header: { baseOffset: number; lastOffsetDelta: number } }>): number {
  if (batches.length === 0) return 0;
  const last = batches[batches.length - 1]!.header;
  return last.baseOffset + last.lastOffsetDelta + 1 - batches[0]!.header.baseOffset;
}
