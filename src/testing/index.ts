/**
 * `samsa/testing`: an embedded broker with fault injection, for testing your own consumers and
 * producers (with any Kafka client) in milliseconds: force a rebalance, expire or fence a member,
 * drop or delay its heartbeats, pause a partition's fetches, fail the next requests of an API,
 * and move the group coordinator's clock instead of waiting for a session timeout.
 */
import {
  startBroker,
  type Broker,
  type BrokerFaults,
  type FaultHandle,
  type GroupSnapshot,
  type MemberSelector,
  type StartBrokerOptions,
} from '../broker/index.js';
import { createAdmin } from '../client/index.js';
import { MemoryLogger } from '../common/logger.js';
import { apiKeyOf, errorCodeOf, type ApiName, type ErrorName } from './names.js';
import { waitForGroup, type WaitForGroupOptions } from './wait-for-group.js';

export type { AssignedPartitions, FaultHandle, GroupMemberSnapshot, GroupSnapshot, MemberSelector } from '../broker/index.js';
export type { ApiName, ErrorName } from './names.js';
export type { WaitForGroupOptions } from './wait-for-group.js';

/** A topic to create at start: a name (one partition), or a name and a partition count. */
export type TopicSpec = string | { readonly name: string; readonly partitions?: number };

/**
 * Broker settings (any of `startBroker`'s, camelCase Kafka names) and topics to create. The
 * broker always listens on 127.0.0.1 port 0 and keeps everything in memory.
 */
export interface TestBrokerOptions extends Omit<StartBrokerOptions, 'faults' | 'memory' | 'dataDir' | 'host' | 'port' | 'listeners' | 'store'> {
  topics?: readonly TopicSpec[];
}

/**
 * Defaults that suit tests: no initial rebalance delay (Kafka's 3 s would start every test),
 * any session timeout accepted, and KIP-848 members told to heartbeat every 100 ms so that they
 * see a new assignment at once. Everything else is Kafka's default.
 */
export const TEST_BROKER_DEFAULTS = {
  groupInitialRebalanceDelayMs: 0,
  groupMinSessionTimeoutMs: 1,
  groupConsumerHeartbeatIntervalMs: 100,
  groupConsumerMinHeartbeatIntervalMs: 10,
} as const satisfies Partial<StartBrokerOptions>;

/** Starts an embedded broker for a test; close it in the test's `after`. */
export async function startTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const { topics = [], ...rest } = options;
  const logger = new MemoryLogger();
  const broker = await startBroker({ ...TEST_BROKER_DEFAULTS, logger, ...rest, host: '127.0.0.1', port: 0, memory: true, faults: true });
  const kit = new TestBroker(broker, logger);
  try {
    if (topics.length > 0) await kit.createTopics(...topics);
  } catch (err) {
    await broker.close();
    throw err;
  }
  return kit;
}

export class TestBroker {
  /** `127.0.0.1:<port>`: give it to your client as its bootstrap server. */
  readonly bootstrap: string;
  private readonly faults: BrokerFaults;

  constructor(
    /** The broker itself (`samsa/broker`), for anything the kit does not wrap. */
    readonly broker: Broker,
    /** The broker's log lines (faults injected are logged at info). */
    readonly logger: MemoryLogger,
  ) {
    this.bootstrap = `127.0.0.1:${broker.port}`;
    this.faults = broker.faults!;
  }

  /** `[bootstrap]`, for clients that take a list (kafkajs `brokers`). */
  get brokers(): string[] {
    return [this.bootstrap];
  }

  async createTopics(...topics: TopicSpec[]): Promise<void> {
    const admin = createAdmin({ bootstrapServers: this.bootstrap, clientId: 'samsa-testing' });
    try {
      await admin.createTopics({ topics: topics.map((t) => (typeof t === 'string' ? { name: t, numPartitions: 1 } : { name: t.name, numPartitions: t.partitions ?? 1 })) });
    } finally {
      await admin.close();
    }
  }

  // ---- time ----

  /**
   * Moves the group coordinator's clock forward by `ms` and runs what comes due: session
   * timeouts, rebalance timeouts (max.poll.interval.ms), join and sync timeouts. Members still
   * connected are taken to have heartbeated meanwhile, unless their heartbeats are dropped or
   * delayed: advancing by the session timeout expires exactly those (and killed clients).
   * Returns once the coordinator has acted; clients learn it at their next request.
   */
  advanceTime(ms: number): Promise<void> {
    return this.faults.advanceTime(ms);
  }

  // ---- groups ----

  /** Makes the group rebalance now (classic: everyone rejoins; KIP-848: a new group epoch). False if it cannot (empty, unknown). */
  forceRebalance(groupId: string): Promise<boolean> {
    return this.faults.forceRebalance(groupId);
  }

  /** Removes the selected members (all of the group's when omitted) as a session timeout would; returns their member ids. */
  expireMember(groupId: string, selector: MemberSelector = {}): Promise<string[]> {
    return this.faults.expireMember(groupId, selector);
  }

  /** Fences the selected members as a missed rebalance timeout would: out, partitions reassigned, their next commit fails. */
  fenceMember(groupId: string, selector: MemberSelector = {}): Promise<string[]> {
    return this.faults.fenceMember(groupId, selector);
  }

  /** The group as the coordinator holds it: state, epoch, members with their assignment; null if unknown. */
  describeGroup(groupId: string): GroupSnapshot | null {
    return this.faults.group(groupId);
  }

  /**
   * Resolves with the group's snapshot once `until` holds (checked at every coordinator event),
   * or rejects after `timeoutMs` (default 10 s) with the last snapshot in the message.
   */
  waitForGroup(groupId: string, until: (group: GroupSnapshot) => boolean, options: WaitForGroupOptions = {}): Promise<GroupSnapshot> {
    return waitForGroup(this.broker, () => this.faults.group(groupId), until, options);
  }

  // ---- heartbeats ----

  /** The selected members' heartbeats get no answer and do not reach the coordinator, until lifted. */
  dropHeartbeats(selector: MemberSelector): FaultHandle {
    return this.faults.dropHeartbeats(selector);
  }

  /** The selected members' heartbeats reach the coordinator `delayMs` (group time) late. */
  delayHeartbeats(selector: MemberSelector, delayMs: number): FaultHandle {
    return this.faults.delayHeartbeats(selector, delayMs);
  }

  /** Lifts heartbeat faults (those for `selector`, or all); held heartbeats are handled now. */
  restoreHeartbeats(selector?: MemberSelector): void {
    this.faults.restoreHeartbeats(selector);
  }

  // ---- fetches ----

  /** Fetches of the partition (of every partition of the topic when omitted) return no records until resumed. */
  pauseFetches(topic: string, partition?: number): void {
    this.faults.pauseFetches(topic, partition);
  }

  /** Resumes paused fetches (of one partition, one topic, or all); waiting fetches answer at once. */
  resumeFetches(topic?: string, partition?: number): void {
    this.faults.resumeFetches(topic, partition);
  }

  // ---- requests ----

  /**
   * The next `count` (default 1) requests of `api` (a Kafka API name such as 'Produce', or its
   * key) fail with `errorCode` (a Kafka error name such as 'NOT_LEADER_OR_FOLLOWER', or its
   * code), from `clientId` only when given. They are not handled: a failed Produce writes nothing.
   */
  failNextRequests(api: ApiName | number, options: { errorCode: ErrorName | number; count?: number; clientId?: string }): void {
    this.faults.failNextRequests(apiKeyOf(api), { ...options, errorCode: errorCodeOf(options.errorCode) });
  }

  /** Injected failures not yet used (for one API, or all). */
  pendingFailures(api?: ApiName | number): number {
    return this.faults.pendingFailures(api === undefined ? undefined : apiKeyOf(api));
  }

  /** Lifts every fault at once. */
  clearFaults(): void {
    this.faults.clear();
  }

  close(): Promise<void> {
    return this.broker.close();
  }
}
