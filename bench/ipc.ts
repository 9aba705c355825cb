/** Messages between the benchmark's main process and its producer and consumer processes. */

export type SystemName = 'samsa' | 'redis' | 'jetstream' | 'kafkajs' | 'platformatic';

export interface GroupSettings {
  /** Kafka assignor for the Kafka clients (classic protocol). */
  assignor: 'range' | 'cooperative-sticky';
  /**
   * 'consumer': the Samsa client joins with the KIP-848 consumer protocol (groupProtocol
   * 'consumer', the broker's `uniform` assignor; `assignor` is not used) and the broker gives it a
   * session timeout of `failureTimeoutMs` and a heartbeat interval of a sixth of it.
   */
  protocol?: 'classic' | 'consumer';
  /** Static membership (KIP-345): the consumer's name is its groupInstanceId. */
  staticMember: boolean;
  /** How long a silent consumer keeps its work: Kafka session timeout, Redis XAUTOCLAIM idle time, JetStream ack wait. */
  failureTimeoutMs: number;
  /** Samsa client: autoCommitIntervalMs (0 or absent: its default, continuous commits; > 0: interval commits). */
  commitIntervalMs?: number;
}

export interface ChildConfig {
  system: SystemName;
  role: 'producer' | 'consumer';
  host: string;
  port: number;
  /** Topic (Kafka), stream-name prefix (Redis) or stream name (JetStream). */
  target: string;
  groupId: string;
  consumerName: string;
  /** Producer: how many records at most. */
  records: number;
  recordBytes: number;
  /** Producer: records per second, 0 for as fast as the client goes. */
  ratePerSecond: number;
  /** Kafka producers: 1 (leader has it in its log) or -1 (Samsa: fsynced before the answer). */
  acks: 1 | -1;
  /** Samsa producer batchSize override (bytes), 0 for its default. */
  batchBytes: number;
  /** Consumer: send each record's producer timestamp along with its sequence number. */
  reportTimestamps: boolean;
  group: GroupSettings;
}

export type ParentMessage = { cmd: 'start' } | { cmd: 'stop' };

export type ChildMessage =
  | { ev: 'ready' }
  | { ev: 'assigned'; partitions: number[] }
  /**
   * Records handed to the handler at `atMs`: sequence numbers and partitions, one entry per record;
   * `batchRecords` (clients that hand over fetch batches): per partition, the records of the largest batch since the last report.
   */
  | { ev: 'delivered'; atMs: number; seqs: Uint32Array; partitions: Uint8Array; timestamps: Float64Array | null; batchRecords?: number[] }
  | { ev: 'produced'; records: number; startedMs: number; endedMs: number }
  | { ev: 'final'; latencyCounts: number[]; commits?: number }
  | { ev: 'error'; message: string };

/** The heartbeat interval the Kafka clients (and the broker, for KIP-848 members) use for a failure timeout. */
export function groupHeartbeatIntervalMs(failureTimeoutMs: number): number {
  return Math.max(100, Math.floor(failureTimeoutMs / 6));
}
