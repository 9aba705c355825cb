import { randomUUID } from 'node:crypto';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import {
  GroupCoordinator,
  PARKED,
  type Completion,
  type CoordinatorApi,
  type CoordinatorApis,
  type CoordinatorConfig,
  type CoordinatorEvent,
  type CoordinatorRecord,
  type CoordinatorRequest,
  type CoordinatorResult,
} from '../../coordinator/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { LogStore, PartitionLog } from '../../storage/types.js';
import type { BrokerConfig } from '../config.js';
import type { RequestContext } from '../handler.js';
import { BROKER_EVENTS, subscribeBrokerEvent } from '../events.js';
import { COORDINATOR_EVENTS, coordinatorEventName, publishCoordinatorEvent } from './events.js';
import { encodeGroupRecords, GROUP_LOG_NAME, readGroupLog } from './internal-log.js';

/** The coordinator cannot serve the request (it is stopping, or its log could not be written). */
export class GroupCoordinatorUnavailable extends Error {
  override name = 'GroupCoordinatorUnavailable';
  constructor(readonly errorCode: number, message: string) {
    super(message);
  }
}

export interface GroupShellOptions {
  readonly store: LogStore;
  readonly config: BrokerConfig;
  readonly log: Logger;
  readonly clock: Clock;
  /** Records in the internal log beyond which it is compacted (when at least half are stale). Default 20000. */
  readonly compactAfterRecords?: number;
  /** Told every call's records and events once they are applied (the rebalance history listens here). */
  readonly onOutput?: (records: readonly CoordinatorRecord[], events: readonly CoordinatorEvent[]) => void;
}

const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** The coordinator settings that come from the broker's group options. */
export function coordinatorConfigOf(config: BrokerConfig): Partial<CoordinatorConfig> {
  return {
    initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
    minSessionTimeoutMs: config.groupMinSessionTimeoutMs,
    maxSessionTimeoutMs: config.groupMaxSessionTimeoutMs,
    maxGroupSize: config.groupMaxSize,
    offsetsRetentionMs: config.offsetsRetentionMinutes * 60_000,
    consumerSessionTimeoutMs: config.groupConsumerSessionTimeoutMs,
    consumerMinSessionTimeoutMs: config.groupConsumerMinSessionTimeoutMs,
    consumerMaxSessionTimeoutMs: config.groupConsumerMaxSessionTimeoutMs,
    consumerHeartbeatIntervalMs: config.groupConsumerHeartbeatIntervalMs,
    consumerMinHeartbeatIntervalMs: config.groupConsumerMinHeartbeatIntervalMs,
    consumerMaxHeartbeatIntervalMs: config.groupConsumerMaxHeartbeatIntervalMs,
    consumerMaxGroupSize: config.groupConsumerMaxSize,
    consumerAssignors: config.groupConsumerAssignors,
    consumerMigrationPolicy: config.groupConsumerMigrationPolicy,
  };
}

/** Kafka prints a member's host as InetAddress.toString: "/" + address. */
export function clientHostOf(remoteAddress: string): string {
  return `/${remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress}`;
}

/**
 * The group coordinator's I/O shell. It serialises every call into the pure core, appends the
 * records each call produces to the internal log and applies them (`replay`) before anything
 * else runs, and sends the call's answers only once those records are durable (fsync under the
 * `acks-all` flush policy). It owns the one timer the core needs, replays the log at start,
 * compacts it now and then, and publishes the core's events on diagnostics channels.
 */
export class GroupCoordinatorShell {
  private core: GroupCoordinator;
  /** Calls into the core run one at a time, in arrival order. */
  private queue: Promise<void> = Promise.resolve();
  /** Resolves once everything appended so far is durable. */
  private durable: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private timerAtMs: number | null = null;
  private nextRequestId = 0;
  private readonly waiting = new Map<number, { resolve: (response: unknown) => void; reject: (err: Error) => void }>();
  private recordsInLog = 0;
  private nextCompactionCheck: number;
  private readonly compactAfterRecords: number;
  private closed = false;
  private readonly unsubscribe: Array<() => void> = [];

  private constructor(
    private readonly o: GroupShellOptions,
    private readonly log: PartitionLog,
  ) {
    this.core = this.newCore();
    this.compactAfterRecords = o.compactAfterRecords ?? 20_000;
    this.nextCompactionCheck = this.compactAfterRecords;
  }

  /** Deleting a topic drops its committed offsets, as Kafka does; DeleteTopics awaits this. */
  async topicsDeleted(topics: readonly string[]): Promise<void> {
    if (this.closed) return;
    await this.serialize(async () => {
      await this.commit(this.core.onTopicsDeleted([...topics], this.o.clock.nowMs()));
      await this.commit(this.core.onTopicsChanged(this.topicImages(), this.o.clock.nowMs()));
    }).catch((err: unknown) => this.logFailure('dropping offsets of a deleted topic', err));
  }

  /**
   * A topic was created or grew: consumer groups subscribed to it (by name or regex) move to a new
   * group epoch. Runs on the broker's own topic events; tests may call it directly.
   */
  async topicsChanged(): Promise<void> {
    if (this.closed) return;
    await this.serialize(() => this.commit(this.core.onTopicsChanged(this.topicImages(), this.o.clock.nowMs()))).catch((err: unknown) =>
      this.logFailure('refreshing consumer groups after a topic change', err),
    );
  }

  private topicImages(): { id: string; name: string; partitions: number }[] {
    return this.o.store.listTopics().map((t) => ({ id: t.id, name: t.name, partitions: t.partitions }));
  }

  private watchTopics(): void {
    const ours = (e: { nodeId: number; port: number }): boolean => e.nodeId === this.o.config.nodeId && e.port === this.o.config.port;
    this.unsubscribe.push(
      subscribeBrokerEvent(BROKER_EVENTS.topicCreated, (e) => {
        if (ours(e)) void this.topicsChanged();
      }),
      subscribeBrokerEvent(BROKER_EVENTS.partitionsCreated, (e) => {
        if (ours(e)) void this.topicsChanged();
      }),
    );
  }

  /**
   * A transaction ended (its marker for this group, in Kafka's terms): the producer's pending
   * offsets become committed offsets, or are dropped. Resolves once that is durable; rejects
   * with GroupCoordinatorUnavailable when it could not be written (the caller retries).
   */
  async completeTransaction(groupId: string, producerId: number, committed: boolean): Promise<void> {
    if (this.closed) throw new GroupCoordinatorUnavailable(ErrorCode.NOT_COORDINATOR, 'the group coordinator is stopping');
    let persisted = false;
    await this.serialize(async () => {
      persisted = await this.commit(this.core.onTransactionCompleted(groupId, producerId, committed, this.o.clock.nowMs()));
    });
    if (!persisted) throw new GroupCoordinatorUnavailable(ErrorCode.NOT_COORDINATOR, 'the group coordinator log could not be written');
    await this.durable;
  }

  /** Opens the internal log, replays it and starts serving. */
  static async open(options: GroupShellOptions): Promise<GroupCoordinatorShell> {
    const log = await options.store.openInternalLog(GROUP_LOG_NAME);
    const shell = new GroupCoordinatorShell(options, log);
    await shell.load();
    shell.watchTopics();
    return shell;
  }

  /** The live coordinator, for inspection (tests, tools embedded in the broker). */
  get coordinator(): GroupCoordinator {
    return this.core;
  }

  /**
   * Hands one request to the core and resolves with its answer: at once, or when a parked
   * JoinGroup/SyncGroup completes. Rejects with GroupCoordinatorUnavailable when the coordinator
   * cannot serve it.
   */
  handle<A extends CoordinatorApi>(api: A, rctx: RequestContext, body: CoordinatorApis[A]['request']): Promise<CoordinatorApis[A]['response']> {
    if (this.closed) return Promise.reject(new GroupCoordinatorUnavailable(ErrorCode.NOT_COORDINATOR, 'the group coordinator is stopping'));
    return new Promise((resolve, reject) => {
      const requestId = ++this.nextRequestId;
      this.waiting.set(requestId, { resolve: resolve as (r: unknown) => void, reject });
      this.serialize(async () => {
        const request = {
          api,
          requestId,
          apiVersion: rctx.version,
          clientId: rctx.header.clientId ?? '',
          clientHost: clientHostOf(rctx.connection.remoteAddress),
          body,
        } as CoordinatorRequest<A>;
        let result: CoordinatorResult<unknown>;
        try {
          result = this.core.handle(request, this.o.clock.nowMs());
        } catch (err) {
          // A broken invariant: the core may be half-way through a change; rebuild it from what is durable.
          this.logFailure(`handling ${api}`, err);
          this.rebuild();
          throw err;
        }
        await this.commit(result, requestId);
      }).catch((err: unknown) => this.failRequest(requestId, err));
    });
  }

  /**
   * Runs one operation of the fault-injection seam on the core, in turn with requests: its
   * records are persisted and applied and its answers sent like a request's, then every deadline
   * already due (the operation may have moved the group clock) fires before this resolves.
   */
  async inject<T>(op: (core: GroupCoordinator, nowMs: number) => CoordinatorResult<T>): Promise<T> {
    if (this.closed) throw new GroupCoordinatorUnavailable(ErrorCode.NOT_COORDINATOR, 'the group coordinator is stopping');
    let outcome: T | undefined;
    await this.serialize(async () => {
      // The operation may move the group clock: the timer is armed again from the new time.
      this.clearTimer();
      let result: CoordinatorResult<T>;
      try {
        result = op(this.core, this.o.clock.nowMs());
      } catch (err) {
        this.logFailure('injecting a fault', err);
        this.rebuild();
        throw err;
      }
      outcome = result.response as T;
      await this.commit(result);
      // A consumer group transition waits for the previous one's records (see tick), hence the loop.
      for (let rounds = 0; rounds < 10_000; rounds++) {
        const due = this.core.nextDeadlineMs();
        if (due === null || due > this.o.clock.nowMs()) break;
        await this.commit(this.core.tick(this.o.clock.nowMs()));
      }
    });
    return outcome as T;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.unsubscribe) stop();
    this.clearTimer();
    await this.serialize(async () => {
      this.deliver(this.core.unload());
    }).catch(() => undefined);
    await this.durable.catch(() => undefined);
  }

  // ---- internals ----

  private newCore(): GroupCoordinator {
    return new GroupCoordinator({ config: coordinatorConfigOf(this.o.config), newUuid: () => randomUUID() });
  }

  private async load(): Promise<void> {
    const startedAtMs = this.o.clock.nowMs();
    const core = this.newCore();
    this.recordsInLog = await readGroupLog(this.log, (r) => core.replay(r));
    this.nextCompactionCheck = Math.max(this.compactAfterRecords, this.recordsInLog + this.compactAfterRecords / 2);
    this.core = core;
    core.onTopicsChanged(this.topicImages(), this.o.clock.nowMs());
    const result = core.load(this.o.clock.nowMs());
    await this.serialize(async () => {
      await this.commit(result);
      // Topics may have changed while the coordinator was down.
      await this.commit(core.onTopicsChanged(this.topicImages(), this.o.clock.nowMs()));
    });
    const groups = core.groupIds().length;
    this.o.log.debug('group coordinator loaded', { groups, records: this.recordsInLog });
    publishCoordinatorEvent(COORDINATOR_EVENTS.loaded, { ...this.ref(), groups, records: this.recordsInLog, durationMs: this.o.clock.nowMs() - startedAtMs });
  }

  private serialize(op: () => Promise<unknown> | void): Promise<void> {
    const run = this.queue.then(async () => {
      await op();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Persists then applies the call's records, publishes its events and arranges for its answers
   * to go out once the records are durable. Runs inside the queue.
   */
  private async commit(result: CoordinatorResult<unknown>, ownRequestId?: number): Promise<boolean> {
    const answers: Array<[number, unknown]> = result.completions.map((c) => [c.requestId, c.response]);
    if (ownRequestId !== undefined && result.response !== PARKED) answers.push([ownRequestId, result.response]);
    if (result.records.length > 0) {
      const nowMs = this.o.clock.nowMs();
      try {
        this.log.append(await encodeGroupRecords(result.records, nowMs), nowMs);
      } catch (err) {
        // Nothing of this call reached the log: its answers become errors and the core goes back
        // to what the log holds.
        this.logFailure('appending to the group coordinator log', err);
        this.failAnswers(result.completions, ownRequestId);
        this.rebuild();
        return false;
      }
      for (const r of result.records) this.core.replay(r);
      this.recordsInLog += result.records.length;
      if (this.o.config.flushPolicy === 'acks-all') this.durable = this.log.sync();
    }
    const replayed = this.core.afterReplay(this.o.clock.nowMs());
    for (const e of [...result.events, ...replayed]) publishCoordinatorEvent(coordinatorEventName(e), { ...this.ref(), ...e } as never);
    this.o.onOutput?.(result.records, [...result.events, ...replayed]);
    const durable = this.durable;
    durable.then(
      () => this.deliverAnswers(answers),
      (err: unknown) => {
        this.logFailure('syncing the group coordinator log', err);
        this.failAnswers(result.completions, ownRequestId);
        this.durable = Promise.resolve();
      },
    );
    this.armTimer();
    if (this.recordsInLog >= this.nextCompactionCheck) await this.compact();
    return true;
  }

  private deliverAnswers(answers: Array<[number, unknown]>): void {
    for (const [id, response] of answers) {
      const w = this.waiting.get(id);
      this.waiting.delete(id);
      w?.resolve(response);
    }
  }

  private deliver(completions: readonly Completion[]): void {
    this.deliverAnswers(completions.map((c) => [c.requestId, c.response]));
  }

  private failAnswers(completions: readonly Completion[], ownRequestId: number | undefined): void {
    const error = new GroupCoordinatorUnavailable(ErrorCode.NOT_COORDINATOR, 'the group coordinator log could not be written');
    for (const c of completions) this.failRequest(c.requestId, error);
    if (ownRequestId !== undefined) this.failRequest(ownRequestId, error);
  }

  private failRequest(requestId: number, err: unknown): void {
    const w = this.waiting.get(requestId);
    this.waiting.delete(requestId);
    w?.reject(err instanceof Error ? err : new Error(String(err)));
  }

  /**
   * Starts a fresh core from the durable state (what the log holds): parked requests are
   * answered NOT_COORDINATOR and their clients rejoin, as after a coordinator failover.
   */
  private rebuild(): void {
    const old = this.core;
    this.deliver(old.unload());
    const core = this.newCore();
    for (const r of old.snapshotRecords()) core.replay(r);
    this.core = core;
    core.onTopicsChanged(this.topicImages(), this.o.clock.nowMs());
    const result = core.load(this.o.clock.nowMs());
    for (const e of result.events) publishCoordinatorEvent(coordinatorEventName(e), { ...this.ref(), ...e } as never);
    this.o.onOutput?.(result.records, result.events);
    this.armTimer();
  }

  /**
   * Rewrites the log as a snapshot of the live durable state, then drops what came before. A
   * crash in between replays old records then the snapshot, which gives the same state.
   */
  private async compact(): Promise<void> {
    const snapshot = this.core.snapshotRecords();
    if (this.recordsInLog < 2 * snapshot.length) {
      this.nextCompactionCheck = this.recordsInLog + this.compactAfterRecords / 2;
      return;
    }
    const recordsBefore = this.recordsInLog;
    const startOffset = this.log.logEndOffset;
    try {
      const nowMs = this.o.clock.nowMs();
      if (snapshot.length > 0) this.log.append(await encodeGroupRecords(snapshot, nowMs), nowMs);
      await this.log.sync();
      await this.log.deleteRecordsBefore(startOffset);
    } catch (err) {
      this.logFailure('compacting the group coordinator log', err);
      this.nextCompactionCheck = this.recordsInLog + this.compactAfterRecords;
      return;
    }
    this.recordsInLog = snapshot.length;
    this.nextCompactionCheck = Math.max(this.compactAfterRecords, 2 * snapshot.length + this.compactAfterRecords / 2);
    publishCoordinatorEvent(COORDINATOR_EVENTS.compacted, { ...this.ref(), recordsBefore, snapshotRecords: snapshot.length, logStartOffset: startOffset });
  }

  private armTimer(): void {
    const next = this.closed ? null : this.core.nextDeadlineMs();
    if (next === this.timerAtMs) return;
    this.clearTimer();
    if (next === null) return;
    const delayMs = Math.min(MAX_TIMER_DELAY_MS, Math.max(0, next - this.o.clock.nowMs()));
    this.timerAtMs = next;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAtMs = null;
      void this.serialize(async () => {
        try {
          await this.commit(this.core.tick(this.o.clock.nowMs()));
        } catch (err) {
          this.logFailure('running coordinator timers', err);
          this.rebuild();
        }
      });
    }, delayMs);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAtMs = null;
  }

  private ref(): { nodeId: number; port: number } {
    return { nodeId: this.o.config.nodeId, port: this.o.config.port };
  }

  private logFailure(what: string, err: unknown): void {
    this.o.log.error(`group coordinator: error ${what}`, { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
}
