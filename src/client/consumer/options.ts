import { builtInAssignors, type Assignor } from '../../assignors/index.js';
import { KafkaConfigError } from '../errors.js';
import {
  CLIENT_OPTION_NAMES,
  boolOption,
  intOption,
  oneOfOption,
  rejectUnknownOptions,
  resolveClientOptions,
  type ClientOptions,
  type ResolvedClientOptions,
} from '../options.js';
import type { RebalanceListener } from './types.js';

export type AutoOffsetReset = 'latest' | 'earliest' | 'none';

/**
 * Consumer options. Names follow the Java consumer's configs in camelCase; the fetch sizes keep
 * the names kafkajs users know (`maxBytes`, `maxBytesPerPartition`, `maxWaitMs`, `minBytes`).
 */
export interface ConsumerOptions extends ClientOptions {
  groupId: string;
  /**
   * `classic` (JoinGroup/SyncGroup, default) or `consumer` (KIP-848: the broker assigns, each member
   * reconciles on its own, nobody stops for a rebalance). With `consumer` the session timeout and
   * heartbeat interval are the broker's (`group.consumer.*`), and partitionAssignmentStrategy gives
   * way to groupRemoteAssignor.
   */
  groupProtocol?: 'classic' | 'consumer';
  /** `group.remote.assignor`: the server-side assignor to ask for (`uniform`, `range`) with groupProtocol 'consumer'. */
  groupRemoteAssignor?: string;
  /** Static membership (KIP-345): a stable identity across restarts. */
  groupInstanceId?: string;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Longest a handler may run before the member leaves the group; also the rebalance timeout sent. */
  maxPollIntervalMs?: number;
  /** Assignors by name (`range`, `roundrobin`, `sticky`, `cooperative-sticky`) or custom objects, in preference order. */
  partitionAssignmentStrategy?: Array<string | Assignor>;
  autoOffsetReset?: AutoOffsetReset;
  /** Commit processed records automatically (default true); only processed records are ever committed. */
  autoCommit?: boolean;
  /**
   * 0 (the default): commit continuously, one asynchronous commit of everything processed as soon
   * as the consumer has caught up with what it fetched, or 10 ms after it processed something while
   * it is still busy, at most one in flight; so a crash re-delivers about one fetch batch per
   * partition. At high volume (more than 1,000 records waiting for their commit, or a backlog at
   * the broker) at most every 100 ms, so a crash re-delivers at most about 100 ms of processing
   * there (see ContinuousCommitter). A positive value restores interval commits every that many ms, as Java's
   * `auto.commit.interval.ms` (5000 there) and kafkajs's `autoCommitInterval`.
   */
  autoCommitIntervalMs?: number;
  /** Commit the processed offsets of partitions before giving them up in a rebalance (default true). */
  commitOnRevoke?: boolean;
  /** A static member sends LeaveGroup on close only when this is true (default false, like Java). */
  leaveGroupOnClose?: boolean;
  maxBytes?: number;
  maxBytesPerPartition?: number;
  maxWaitMs?: number;
  minBytes?: number;
  /** `read_uncommitted` (default, as Java) or `read_committed`. */
  isolationLevel?: 'read_uncommitted' | 'read_committed';
  /** Rack of this consumer (KIP-881), sent in the subscription. */
  clientRack?: string;
  rebalanceListener?: RebalanceListener;
}

export interface ResolvedConsumerOptions {
  client: ResolvedClientOptions;
  groupId: string;
  groupProtocol: 'classic' | 'consumer';
  groupRemoteAssignor: string | null;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxPollIntervalMs: number;
  assignors: Assignor[];
  autoOffsetReset: AutoOffsetReset;
  autoCommit: boolean;
  autoCommitIntervalMs: number;
  commitOnRevoke: boolean;
  leaveGroupOnClose: boolean;
  maxBytes: number;
  maxBytesPerPartition: number;
  maxWaitMs: number;
  minBytes: number;
  isolationLevel: 0 | 1;
  clientRack: string | null;
  rebalanceListener: RebalanceListener;
}

/** Defaults, in one place: the Java consumer's, with kafkajs's fetch sizes. */
export const CONSUMER_DEFAULTS = {
  sessionTimeoutMs: 45_000,
  heartbeatIntervalMs: 3_000,
  maxPollIntervalMs: 300_000,
  partitionAssignmentStrategy: ['range', 'cooperative-sticky'],
  autoOffsetReset: 'latest',
  autoCommit: true,
  /** Continuous commits (see ConsumerOptions.autoCommitIntervalMs). */
  autoCommitIntervalMs: 0,
  commitOnRevoke: true,
  leaveGroupOnClose: false,
  maxBytes: 52_428_800,
  /**
   * 1 MiB as in Java and kafkajs, reached by steps: a partition's fetches start at 256 KiB and
   * double while answers come back full and hold fewer than 1,000 records (see
   * Fetcher.rampFetchBytes). An answer is decoded in one go before any of it is handled, so 1 MiB
   * of 100-byte records held the handler back (draining 300,000 x 100 B: 590,000 records/s with
   * 256 KiB, 450,000 with 1 MiB), while 256 KiB of 1 KiB records was too little to keep the
   * consumer busy (300,000 x 1 KiB: 130,000 records/s against 200,000 with 1 MiB).
   */
  maxBytesPerPartition: 1_048_576,
  maxWaitMs: 500,
  minBytes: 1,
} as const;

const CONSUMER_OPTION_NAMES = [
  ...CLIENT_OPTION_NAMES, 'groupId', 'groupProtocol', 'groupRemoteAssignor', 'groupInstanceId', 'sessionTimeoutMs', 'heartbeatIntervalMs', 'maxPollIntervalMs',
  'partitionAssignmentStrategy', 'autoOffsetReset', 'autoCommit', 'autoCommitIntervalMs', 'commitOnRevoke', 'leaveGroupOnClose',
  'maxBytes', 'maxBytesPerPartition', 'maxWaitMs', 'minBytes', 'isolationLevel', 'clientRack', 'rebalanceListener',
];

export function resolveConsumerOptions(o: ConsumerOptions): ResolvedConsumerOptions {
  if (o === null || typeof o !== 'object') throw new KafkaConfigError('consumer options must be an object');
  rejectUnknownOptions('consumer', o, CONSUMER_OPTION_NAMES);
  if (typeof o.groupId !== 'string' || o.groupId === '') throw new KafkaConfigError('groupId must be a non-empty string');
  if (o.groupInstanceId !== undefined && (typeof o.groupInstanceId !== 'string' || o.groupInstanceId === '')) {
    throw new KafkaConfigError('groupInstanceId must be a non-empty string when set');
  }
  const d = CONSUMER_DEFAULTS;
  const groupProtocol = oneOfOption('groupProtocol', o.groupProtocol, 'classic', ['classic', 'consumer']) as 'classic' | 'consumer';
  if (groupProtocol === 'consumer') {
    // As the Java consumer: these belong to the broker, or to the classic protocol only.
    for (const name of ['sessionTimeoutMs', 'heartbeatIntervalMs', 'partitionAssignmentStrategy'] as const) {
      if (o[name] !== undefined) throw new KafkaConfigError(`${name} cannot be set with groupProtocol 'consumer' (the broker decides it; use groupRemoteAssignor for the assignor)`);
    }
  } else if (o.groupRemoteAssignor !== undefined) {
    throw new KafkaConfigError("groupRemoteAssignor needs groupProtocol 'consumer'");
  }
  if (o.groupRemoteAssignor !== undefined && (typeof o.groupRemoteAssignor !== 'string' || o.groupRemoteAssignor === '')) {
    throw new KafkaConfigError('groupRemoteAssignor must be a non-empty string when set');
  }
  const sessionTimeoutMs = intOption('sessionTimeoutMs', o.sessionTimeoutMs, d.sessionTimeoutMs, 1);
  const heartbeatIntervalMs = intOption('heartbeatIntervalMs', o.heartbeatIntervalMs, Math.min(d.heartbeatIntervalMs, Math.floor(sessionTimeoutMs / 3)), 1);
  if (heartbeatIntervalMs >= sessionTimeoutMs) {
    throw new KafkaConfigError(`heartbeatIntervalMs (${heartbeatIntervalMs}) must be lower than sessionTimeoutMs (${sessionTimeoutMs})`);
  }
  const assignors = resolveAssignors(o.partitionAssignmentStrategy ?? [...d.partitionAssignmentStrategy]);
  const maxBytes = intOption('maxBytes', o.maxBytes, d.maxBytes, 1);
  const listener = o.rebalanceListener ?? {};
  if (typeof listener !== 'object' || listener === null) throw new KafkaConfigError('rebalanceListener must be an object');
  return {
    client: resolveClientOptions(o),
    groupId: o.groupId,
    groupProtocol,
    groupRemoteAssignor: o.groupRemoteAssignor ?? null,
    groupInstanceId: o.groupInstanceId ?? null,
    sessionTimeoutMs,
    heartbeatIntervalMs,
    maxPollIntervalMs: intOption('maxPollIntervalMs', o.maxPollIntervalMs, d.maxPollIntervalMs, 1),
    assignors,
    autoOffsetReset: oneOfOption('autoOffsetReset', o.autoOffsetReset, d.autoOffsetReset as AutoOffsetReset, ['latest', 'earliest', 'none']),
    autoCommit: boolOption('autoCommit', o.autoCommit, d.autoCommit),
    autoCommitIntervalMs: intOption('autoCommitIntervalMs', o.autoCommitIntervalMs, d.autoCommitIntervalMs, 0),
    commitOnRevoke: boolOption('commitOnRevoke', o.commitOnRevoke, d.commitOnRevoke),
    leaveGroupOnClose: boolOption('leaveGroupOnClose', o.leaveGroupOnClose, d.leaveGroupOnClose),
    maxBytes,
    maxBytesPerPartition: intOption('maxBytesPerPartition', o.maxBytesPerPartition, d.maxBytesPerPartition, 1),
    maxWaitMs: intOption('maxWaitMs', o.maxWaitMs, d.maxWaitMs, 0),
    minBytes: intOption('minBytes', o.minBytes, d.minBytes, 0),
    isolationLevel: oneOfOption('isolationLevel', o.isolationLevel, 'read_uncommitted', ['read_uncommitted', 'read_committed']) === 'read_committed' ? 1 : 0,
    clientRack: o.clientRack ?? null,
    rebalanceListener: listener,
  };
}

function resolveAssignors(list: Array<string | Assignor>): Assignor[] {
  if (!Array.isArray(list) || list.length === 0) throw new KafkaConfigError('partitionAssignmentStrategy must be a non-empty list');
  const out = list.map((entry) => {
    if (typeof entry === 'string') {
      const a = builtInAssignors.get(entry);
      if (a === undefined) throw new KafkaConfigError(`partitionAssignmentStrategy: unknown assignor "${entry}" (built in: ${[...builtInAssignors.keys()].join(', ')})`);
      return a;
    }
    if (entry === null || typeof entry !== 'object' || typeof entry.name !== 'string' || typeof entry.assign !== 'function' || !Array.isArray(entry.supportedProtocols)) {
      throw new KafkaConfigError('partitionAssignmentStrategy: a custom assignor needs name, supportedProtocols and assign()');
    }
    return entry;
  });
  if (new Set(out.map((a) => a.name)).size !== out.length) throw new KafkaConfigError('partitionAssignmentStrategy: assignor names must be unique');
  return out;
}
