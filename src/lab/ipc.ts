/**
 * Messages between `samsa lab` and the consumer processes it forks. A consumer process is a
 * plain Samsa client consumer; it reports what its handler processed and what the group did to
 * it, and takes a few commands (start, stop, a slow next batch).
 */

export interface LabConsumerConfig {
  bootstrapServers: string;
  topic: string;
  groupId: string;
  /** The member's name in the report; also its group.instance.id when `staticMember`. */
  name: string;
  staticMember: boolean;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxPollIntervalMs: number;
  strategy: 'range' | 'roundrobin' | 'sticky' | 'cooperative-sticky';
  /** `auto`: offsets committed every autoCommitIntervalMs only; `on-revoke`: also before giving partitions up. */
  commit: 'auto' | 'on-revoke';
  autoCommitIntervalMs: number;
  /** Handler time per record (an await, as I/O would be), 0 for none. */
  handlerMsPerRecord: number;
  /** How often the consumer leader looks for new partitions (metadata.max.age.ms). */
  metadataMaxAgeMs: number;
  partitions: number;
}

export type LabParentMessage =
  | { cmd: 'start' }
  | { cmd: 'stop' }
  /** The next batch the handler gets takes this long (a stuck call, a slow downstream). */
  | { cmd: 'stall'; durationMs: number };

export type LabChildMessage =
  | { ev: 'ready' }
  | { ev: 'started' }
  /** The assignment changed (after a rebalance): what it owns now, in which generation. */
  | { ev: 'assignment'; atMs: number; partitions: number[]; generationId: number; memberId: string; revoked: boolean }
  /** Records handled: one entry per batch, records `firstOffset`..`lastOffset` of `partition`. */
  | { ev: 'processed'; atMs: number; batches: Array<[partition: number, firstOffset: number, lastOffset: number, count: number]> }
  /** A group fact seen by the client (poll-timeout, session-timeout, leave, rebalance-start). */
  | { ev: 'group'; atMs: number; name: string; detail: string }
  | { ev: 'stalled'; atMs: number; durationMs: number }
  | { ev: 'stopped' }
  | { ev: 'error'; message: string };
