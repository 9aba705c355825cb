import { EventEmitter } from 'node:events';
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaConfigError, KafkaError } from '../errors.js';
import { partitionKey, sortPartitions } from '../group/partitions.js';
import type { TopicPartition } from '../group/types.js';
import { Cluster } from '../net/cluster.js';
import { publishCrash, publishOffsetReset, type CommitEvent } from './events.js';
import { ContinuousCommitter } from './continuous-commit.js';
import { Fetcher } from './fetcher.js';
import { ConsumerProtocolDriver } from './consumer-protocol-driver.js';
import { GroupDriver, type DriverHooks, type MembershipDriver } from './group-driver.js';
import { messageIterator } from './iterator.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, OffsetCommitter, fetchCommittedOffsets, listOffsets } from './offsets.js';
import { resolveConsumerOptions, type AutoOffsetReset, type ConsumerOptions, type ResolvedConsumerOptions } from './options.js';
import { PartitionRegistry, type PartitionState } from './partition-state.js';
import type { ConsumerGroupMetadata } from '../producer/transactions.js';
import { Processor } from './processor.js';
import type { ConsumedMessage, RunOptions, SubscribeOptions, TopicPartitionOffset } from './types.js';

export interface ConsumerEvents {
  /** The consumer stopped on an error it cannot recover from (fenced, offsets out of range with 'none', ...). */
  crash: [error: Error];
}

/**
 * The Samsa consumer: a classic consumer-group member (src/client/group) with background
 * heartbeats, a per-broker prefetching fetcher, in-order per-partition delivery, and a rebalance
 * listener around which the processed offsets are committed before partitions are given up.
 *
 *   const consumer = new Consumer({ bootstrapServers, groupId: 'app', partitionAssignmentStrategy: ['cooperative-sticky'] });
 *   await consumer.subscribe({ topics: ['orders'] });
 *   await consumer.run({ eachMessage: async ({ message }) => { ... } });
 */
export class Consumer extends EventEmitter<ConsumerEvents> {
  readonly options: ResolvedConsumerOptions;
  readonly cluster: Cluster;
  private readonly partitions = new PartitionRegistry();
  private readonly driver: MembershipDriver;
  private readonly fetcher: Fetcher;
  private readonly processor: Processor;
  private readonly committer: OffsetCommitter;
  private topics: string[] = [];
  private pattern: RegExp | null = null;
  private resetPolicy: AutoOffsetReset;
  private readonly pausedKeys = new Set<string>();
  private readonly pendingSeeks = new Map<string, number>();
  private running = false;
  private closing: Promise<void> | null = null;
  private autoCommitTimer: NodeJS.Timeout | null = null;
  /** Continuous auto-commit (autoCommitIntervalMs 0); null with interval commits or autoCommit off. */
  private readonly continuous: ContinuousCommitter | null;
  private metadataTimer: NodeJS.Timeout | null = null;
  private revokeReason: CommitEvent['reason'] = 'revoke';

  constructor(options: ConsumerOptions) {
    super();
    this.options = resolveConsumerOptions(options);
    this.resetPolicy = this.options.autoOffsetReset;
    this.cluster = new Cluster(this.options.client);
    const hooks: DriverHooks = {
      onRevoke: (partitions, lost) => this.revoke(partitions, lost),
      onAssign: (_assigned, added, revoked) => this.assign(added, revoked),
      onFatal: (err) => this.crash(err),
      oldestActiveStartMs: () => this.processor.oldestActiveStartMs(),
    };
    this.driver =
      this.options.groupProtocol === 'consumer' ? new ConsumerProtocolDriver(this.cluster, this.options, hooks) : new GroupDriver(this.cluster, this.options, hooks);
    this.committer = new OffsetCommitter(this.cluster, this.driver, (offsets) => {
      for (const o of offsets) {
        const s = this.partitions.get(o);
        if (s !== undefined) s.committed = o.offset;
      }
    });
    this.fetcher = new Fetcher(this.cluster, this.options, this.partitions, {
      onRecords: () => this.processor.notify(),
      onOutOfRange: (s) => void this.resetOffsets([s], 'out-of-range'),
      onError: (err) => this.options.client.logger.warn('fetch failed', { error: String(err) }),
    });
    this.continuous = this.options.autoCommit && this.options.autoCommitIntervalMs === 0
      ? new ContinuousCommitter({
        running: () => this.running,
        // Any time the member may commit: with cooperative (and KIP-848) rebalances the partitions
        // kept keep being committed; partitions being given up are committed by the revoke path.
        canCommit: () => this.driver.commitIdentity() !== null,
        caughtUp: () => this.processor.caughtUp,
        lagging: () => this.lagging(),
        uncommittedRecords: () => this.uncommittedRecords(),
        nowMs: () => this.cluster.options.clock.nowMs(),
        commitProcessed: () => this.commitProcessed(),
        retryDelayMs: () => this.cluster.retryDelayMs(0),
        onError: (err) => this.options.client.logger.debug('auto-commit failed; retrying', { error: String(err) }),
      })
      : null;
    this.processor = new Processor(this.partitions, this.options, {
      onProgress: () => this.driver.progress(),
      onProcessed: () => this.continuous?.processed(),
      onCaughtUp: () => this.continuous?.caughtUp(),
      onDrained: () => this.fetcher.schedule(),
      commitPartition: (s) => this.commitStates([s], 'manual'),
    });
  }

  /** Connects and loads cluster metadata (optional: run() does it). */
  async connect(): Promise<void> {
    await this.cluster.metadata({ force: true });
  }

  /** Topics by name, or a regular expression matched against every topic (new matches join later). */
  async subscribe(s: SubscribeOptions): Promise<void> {
    if (s.pattern !== undefined) {
      if (!(s.pattern instanceof RegExp)) throw new KafkaConfigError('subscribe: pattern must be a RegExp');
      this.pattern = s.pattern;
    } else {
      if (!Array.isArray(s.topics) || s.topics.length === 0 || s.topics.some((t) => typeof t !== 'string' || t === '')) {
        throw new KafkaConfigError('subscribe needs { topics: [names] } or { pattern: RegExp }');
      }
      this.topics = [...new Set([...this.topics, ...s.topics])];
    }
    if (s.fromBeginning === true) this.resetPolicy = 'earliest';
    if (this.running) await this.refreshSubscription();
  }

  /** Starts consuming; resolves once started (the group join continues in the background). */
  async run(run: RunOptions): Promise<void> {
    if (this.running) throw new KafkaConfigError('run() was already called');
    if ((run.eachMessage === undefined) === (run.eachBatch === undefined)) throw new KafkaConfigError('run needs exactly one of eachMessage or eachBatch');
    const concurrency = run.partitionsConsumedConcurrently ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new KafkaConfigError('partitionsConsumedConcurrently must be an integer >= 1');
    if (this.topics.length === 0 && this.pattern === null) throw new KafkaConfigError('subscribe() before run()');
    this.running = true;
    this.processor.start(run);
    this.fetcher.start();
    await this.refreshSubscription();
    this.scheduleMetadataRefresh();
    if (this.options.autoCommit && this.continuous === null) this.scheduleAutoCommit();
  }

  /** The records, one at a time: `for await (const message of consumer.messages())`. */
  messages(): AsyncIterableIterator<ConsumedMessage> {
    return messageIterator((eachMessage) => this.run({ eachMessage }), () => this.close());
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ConsumedMessage> {
    return this.messages();
  }

  /** The partitions assigned to this member now. */
  assignment(): TopicPartition[] {
    return this.partitions.assignment();
  }

  /** The member's group generation (its member epoch with groupProtocol 'consumer') and id; -1 when not in one. */
  get generation(): { generationId: number; memberId: string } {
    return this.driver.generation;
  }

  /**
   * What a transactional producer's `sendOffsetsToTransaction` needs: the group, and this member's
   * generation and ids, so the coordinator refuses offsets from a member a rebalance fenced (KIP-447).
   */
  groupMetadata(): ConsumerGroupMetadata {
    const g = this.driver.generation;
    return { groupId: this.options.groupId, generationId: g.generationId, memberId: g.memberId, groupInstanceId: this.options.groupInstanceId };
  }

  /** Stops fetching and delivering these partitions (whole topics with `partitions` omitted). */
  pause(items: Array<{ topic: string; partitions?: number[] }>): void {
    this.setPaused(items, true);
  }

  resume(items: Array<{ topic: string; partitions?: number[] }>): void {
    this.setPaused(items, false);
    this.processor.notify();
    this.fetcher.schedule();
  }

  paused(): TopicPartition[] {
    return sortPartitions(this.partitions.all().filter((s) => s.paused).map((s) => s.tp));
  }

  /** Continues `topic/partition` from `offset` (applied at assignment if not assigned yet). */
  seek(target: TopicPartitionOffset): void {
    if (!Number.isInteger(target.offset) || target.offset < 0) throw new KafkaConfigError('seek: offset must be a non-negative integer');
    const s = this.partitions.get(target);
    if (s === undefined) {
      this.pendingSeeks.set(partitionKey(target), target.offset);
      return;
    }
    s.seek(target.offset);
    s.initializing = false;
    this.fetcher.schedule();
  }

  /** Commits now and waits: the given offsets, or every processed record of the assigned partitions. */
  async commit(offsets?: TopicPartitionOffset[]): Promise<void> {
    if (offsets === undefined) return this.commitStates(this.partitions.all(), 'manual');
    await this.committer.commit(offsets, 'manual');
  }

  /** Like commit() without waiting; errors go to `callback` (or the log). */
  commitAsync(offsets?: TopicPartitionOffset[], callback?: (err: Error | null) => void): void {
    this.commit(offsets).then(() => callback?.(null), (err: Error) => {
      if (callback) callback(err);
      else this.options.client.logger.warn('async commit failed', { error: String(err) });
    });
  }

  /** The group's committed offsets for these partitions (-1 where none). */
  async committed(partitions: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    const m = await fetchCommittedOffsets(this.cluster, this.driver, partitions);
    return partitions.map((tp) => ({ ...tp, offset: m.get(partitionKey(tp)) ?? -1 }));
  }

  /**
   * Stops: no more deliveries, handlers finish, the processed offsets are committed and the
   * listener told (onPartitionsRevoked), then a dynamic member leaves the group. A static member
   * (groupInstanceId) stays registered until its session times out, so a restart within the
   * session timeout gets its partitions back without a rebalance; `leaveGroup: true` leaves anyway.
   */
  close(opts: { leaveGroup?: boolean } = {}): Promise<void> {
    this.closing ??= this.shutdown(opts.leaveGroup ?? (this.options.groupInstanceId === null || this.options.leaveGroupOnClose));
    return this.closing;
  }

  /** kafkajs's name for close(). */
  disconnect(): Promise<void> {
    return this.close();
  }

  private async shutdown(leaveGroup: boolean): Promise<void> {
    this.running = false;
    if (this.autoCommitTimer !== null) clearTimeout(this.autoCommitTimer);
    if (this.metadataTimer !== null) clearTimeout(this.metadataTimer);
    this.continuous?.stop();
    await this.processor.stop();
    this.fetcher.stop();
    this.revokeReason = 'close';
    await this.driver.close(leaveGroup);
    await this.cluster.close();
  }

  private crash(err: Error): void {
    publishCrash({ clientId: this.options.client.clientId, groupId: this.options.groupId, error: err });
    this.options.client.logger.error('consumer crashed', { groupId: this.options.groupId, error: String(err) });
    if (this.listenerCount('crash') > 0) this.emit('crash', err);
    this.running = false;
    this.closing ??= (async () => {
      if (this.autoCommitTimer !== null) clearTimeout(this.autoCommitTimer);
      this.continuous?.stop();
      if (this.metadataTimer !== null) clearTimeout(this.metadataTimer);
      await this.processor.stop();
      this.fetcher.stop();
      this.driver.stop();
      await this.cluster.close();
    })();
  }

  private setPaused(items: Array<{ topic: string; partitions?: number[] }>, paused: boolean): void {
    for (const item of items) {
      const targets = item.partitions === undefined
        ? this.partitions.all().filter((s) => s.topic === item.topic).map((s) => s.tp)
        : item.partitions.map((partition) => ({ topic: item.topic, partition }));
      for (const tp of targets) {
        if (paused) this.pausedKeys.add(partitionKey(tp));
        else this.pausedKeys.delete(partitionKey(tp));
        const s = this.partitions.get(tp);
        if (s !== undefined) s.paused = paused;
      }
    }
  }

  // ---- rebalance callbacks (from the GroupDriver) -------------------------------------------

  private async revoke(partitions: TopicPartition[], lost: boolean): Promise<void> {
    const states = partitions.map((tp) => this.partitions.get(tp)).filter((s): s is PartitionState => s !== undefined);
    for (const s of states) {
      s.revoking = true;
      s.epoch++;
      s.clearBuffer();
    }
    // The records being handled now finish first; none after them is delivered.
    await Promise.all(states.map((s) => s.idle()));
    if (!lost && this.options.commitOnRevoke) {
      await this.commitStates(states, this.revokeReason).catch((err) => {
        this.options.client.logger.warn('commit before revoking partitions failed', { error: String(err) });
      });
    }
    const listener = this.options.rebalanceListener;
    try {
      if (lost) await (listener.onPartitionsLost ?? listener.onPartitionsRevoked)?.call(listener, partitions);
      else await listener.onPartitionsRevoked?.(partitions);
    } finally {
      for (const s of states) this.partitions.remove(s.tp);
    }
  }

  private async assign(added: TopicPartition[], revoked: TopicPartition[]): Promise<void> {
    if (revoked.length > 0) await this.revoke(revoked, false);
    const fresh: PartitionState[] = [];
    for (const tp of added) {
      const s = this.partitions.add(tp);
      s.paused = this.pausedKeys.has(s.key);
      const seekTo = this.pendingSeeks.get(s.key);
      if (seekTo !== undefined) {
        this.pendingSeeks.delete(s.key);
        s.seek(seekTo);
      } else {
        s.initializing = true;
        fresh.push(s);
      }
    }
    try {
      await this.options.rebalanceListener.onPartitionsAssigned?.(added);
    } finally {
      // Positions are looked up after the listener, which may have called seek().
      const toInit = fresh.filter((s) => s.position === null && this.partitions.get(s.tp) === s);
      if (toInit.length > 0) void this.initPositions(toInit);
      this.fetcher.schedule();
    }
  }

  /** Committed offsets for newly assigned partitions, the reset policy where there are none. */
  private async initPositions(states: PartitionState[]): Promise<void> {
    try {
      const committed = await fetchCommittedOffsets(this.cluster, this.driver, states.map((s) => s.tp));
      const reset: PartitionState[] = [];
      for (const s of states) {
        if (s.position !== null || this.partitions.get(s.tp) !== s) continue;
        const offset = committed.get(s.key) ?? -1;
        if (offset >= 0) {
          s.position = s.processed = s.committed = offset;
          s.initializing = false;
          publishOffsetReset({ clientId: this.options.client.clientId, groupId: this.options.groupId, topic: s.topic, partition: s.partition, offset, source: 'committed' });
        } else {
          reset.push(s);
        }
      }
      if (reset.length > 0) await this.resetOffsets(reset, this.resetPolicy);
    } catch (err) {
      this.options.client.logger.warn('could not look up committed offsets; retrying', { error: String(err) });
      await new Promise((r) => setTimeout(r, this.cluster.retryDelayMs(1)));
      const retry = states.filter((s) => s.position === null && this.partitions.get(s.tp) === s);
      if (retry.length > 0 && this.running) return this.initPositions(retry);
    }
    this.fetcher.schedule();
  }

  /** autoOffsetReset for partitions without a usable offset ('none' stops the consumer, as Java throws). */
  private async resetOffsets(states: PartitionState[], why: AutoOffsetReset | 'out-of-range'): Promise<void> {
    const policy = why === 'out-of-range' ? this.resetPolicy : why;
    if (policy === 'none') {
      this.crash(new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, { groupId: this.options.groupId, topic: states[0]!.topic, partition: states[0]!.partition },
        `OFFSET_OUT_OF_RANGE (1): no valid offset for ${states.map((s) => s.key).join(', ')} and autoOffsetReset is 'none'`));
      return;
    }
    const epochs = new Map(states.map((s) => [s, s.epoch]));
    for (const s of states) s.initializing = true;
    const offsets = await listOffsets(this.cluster, states.map((s) => s.tp), policy === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP, this.options.isolationLevel);
    for (const s of states) {
      s.initializing = false;
      const offset = offsets.get(s.key);
      if (offset === undefined || s.epoch !== epochs.get(s) || this.partitions.get(s.tp) !== s) continue;
      s.seek(offset);
      publishOffsetReset({ clientId: this.options.client.clientId, groupId: this.options.groupId, topic: s.topic, partition: s.partition, offset, source: why === 'out-of-range' ? 'out-of-range' : policy });
    }
    this.fetcher.schedule();
  }

  // ---- commits, subscription, timers ----------------------------------------------------------

  /** Commits the processed offsets of these partitions that moved since their last commit. */
  private commitStates(states: PartitionState[], reason: CommitEvent['reason']): Promise<void> {
    const offsets: TopicPartitionOffset[] = [];
    for (const s of states) {
      if (s.processed !== null && s.processed !== s.committed) offsets.push({ topic: s.topic, partition: s.partition, offset: s.processed });
    }
    return this.committer.commit(offsets, reason);
  }

  /** The latest fetch of some partition ended below its high watermark: a backlog at the broker (continuous commits). */
  private lagging(): boolean {
    return this.partitions.all().some((s) => s.position !== null && s.position < s.highWatermark);
  }

  /** Offsets processed past the last acknowledged commit, summed over the partitions (continuous commits). */
  private uncommittedRecords(): number {
    let n = 0;
    for (const s of this.partitions.all()) if (s.processed !== null && s.committed !== null && s.committed >= 0) n += Math.max(0, s.processed - s.committed);
    return n;
  }

  /** Continuous auto-commit: the processed offsets of partitions kept; false when none moved. */
  private async commitProcessed(): Promise<boolean> {
    const states = this.partitions.all().filter((s) => !s.revoking && s.processed !== null && s.processed !== s.committed);
    if (states.length === 0) return false;
    await this.commitStates(states, 'auto');
    return true;
  }

  /** Interval auto-commit (autoCommitIntervalMs > 0). */
  private scheduleAutoCommit(): void {
    this.autoCommitTimer = setTimeout(() => {
      // Only between rebalances: the revoke path commits for itself.
      const work = this.driver.stable ? this.commitStates(this.partitions.all().filter((s) => !s.revoking), 'auto') : Promise.resolve();
      work.catch((err) => this.options.client.logger.warn('auto-commit failed', { error: String(err) })).finally(() => {
        if (this.running) this.scheduleAutoCommit();
      });
    }, this.options.autoCommitIntervalMs);
  }

  private async refreshSubscription(): Promise<void> {
    if (this.pattern !== null) {
      const cache = await this.cluster.metadata({ topics: 'all', force: true });
      const matched = [...cache.topics.keys()].filter((t) => !t.startsWith('__') && this.pattern!.test(t));
      this.driver.subscribe([...new Set([...this.topics, ...matched])]);
    } else {
      await this.cluster.metadata({ topics: this.topics }).catch(() => {});
      this.driver.subscribe(this.topics);
    }
  }

  /**
   * Every metadataMaxAgeMs: new topics matching the pattern join the subscription, and the leader
   * learns of partition count changes (which make it rejoin, as Java's leader does).
   */
  private scheduleMetadataRefresh(): void {
    this.metadataTimer = setTimeout(async () => {
      try {
        await this.refreshSubscription();
        const topics = this.driver.metadataTopics();
        const cache = await this.cluster.metadata({ topics, force: true });
        this.driver.metadataUpdated(new Map(topics.map((t) => [t, cache.partitionCount(t)])));
      } catch (err) {
        this.options.client.logger.debug('metadata refresh failed', { error: String(err) });
      }
      if (this.running) this.scheduleMetadataRefresh();
    }, Math.max(100, this.options.client.metadataMaxAgeMs));
  }
}

/** `new Consumer(options)`, for symmetry with createProducer and createAdmin. */
export function createConsumer(options: ConsumerOptions): Consumer {
  return new Consumer(options);
}
