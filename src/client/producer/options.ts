import { CompressionType } from '../../protocol/record-batch-header.js';
import { KafkaConfigError } from '../errors.js';
import {
  CLIENT_OPTION_NAMES, boolOption, intOption, oneOfOption, rejectUnknownOptions, resolveClientOptions,
  type ClientOptions, type ResolvedClientOptions,
} from '../options.js';
import type { Partitioner, PartitionerName } from './partitioners.js';

export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export const COMPRESSION_TYPES: Record<CompressionName, CompressionType> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

/** Producer options: Kafka's producer configs in camelCase, plus the shared client options. */
export interface ProducerOptions extends ClientOptions {
  /** -1 (all in-sync replicas, the default), 1 (leader) or 0 (no answer at all). */
  acks?: -1 | 0 | 1;
  /**
   * Idempotent delivery (KIP-98): a producer id and per-partition sequence numbers let the broker
   * drop retried duplicates. Default: on when acks=-1 and the broker supports InitProducerId, as
   * Kafka 3.x's `enable.idempotence` default.
   */
  idempotent?: boolean;
  compression?: CompressionName;
  /** How long a batch waits for more records before it is sent (Java 3.x+ default 5 ms). */
  lingerMs?: number;
  /** A partition's batch is sent once it holds this many bytes. */
  batchSize?: number;
  /** Largest Produce request (and largest single record). */
  maxRequestSize?: number;
  /** Bytes of records waiting to be sent; past it `send` waits for room (up to maxBlockMs). */
  bufferMemory?: number;
  /** How long `send` may wait for metadata or buffer room before failing. */
  maxBlockMs?: number;
  /** Upper bound on the time from `send` to the record's acknowledgement or failure. */
  deliveryTimeoutMs?: number;
  /** Requests waiting for an answer per broker connection (at most 5 with idempotence). */
  maxInFlightRequestsPerConnection?: number;
  /** `murmur2` (Java's, the default), `crc32` (librdkafka's consistent), or a function. */
  partitioner?: PartitionerName | Partitioner;
  /**
   * Makes the producer transactional (KIP-98): records are sent inside transactions
   * (`initTransactions`, `beginTransaction`, `commitTransaction`, `abortTransaction`), and a new
   * producer with the same id fences this one. Needs idempotence (on by default).
   */
  transactionalId?: string;
  /** `transaction.timeout.ms`: the coordinator aborts a transaction open longer than this. Default 60000. */
  transactionTimeoutMs?: number;
}

export interface ResolvedProducerOptions {
  client: ResolvedClientOptions;
  acks: -1 | 0 | 1;
  idempotent: boolean;
  /** Whether idempotence was asked for explicitly (then a broker without it is an error). */
  idempotentExplicit: boolean;
  compression: CompressionType;
  compressionName: CompressionName;
  lingerMs: number;
  batchSize: number;
  maxRequestSize: number;
  bufferMemory: number;
  maxBlockMs: number;
  deliveryTimeoutMs: number;
  maxInFlightRequestsPerConnection: number;
  partitioner: PartitionerName | Partitioner;
  /** Retries per batch: `retries` when given, else unbounded within deliveryTimeoutMs (Java's). */
  retries: number;
  transactionalId: string | null;
  transactionTimeoutMs: number;
}

export const PRODUCER_DEFAULTS = {
  acks: -1,
  compression: 'none',
  lingerMs: 5,
  batchSize: 16_384,
  maxRequestSize: 1_048_576,
  bufferMemory: 32 * 1024 * 1024,
  maxBlockMs: 60_000,
  deliveryTimeoutMs: 120_000,
  maxInFlightRequestsPerConnection: 5,
  partitioner: 'murmur2',
  transactionTimeoutMs: 60_000,
} as const;

const PRODUCER_OPTION_NAMES = [
  ...CLIENT_OPTION_NAMES, 'acks', 'idempotent', 'compression', 'lingerMs', 'batchSize', 'maxRequestSize', 'bufferMemory',
  'maxBlockMs', 'deliveryTimeoutMs', 'maxInFlightRequestsPerConnection', 'partitioner', 'transactionalId', 'transactionTimeoutMs',
];

export function resolveProducerOptions(o: ProducerOptions): ResolvedProducerOptions {
  if (o === null || typeof o !== 'object') throw new KafkaConfigError('producer options must be an object');
  rejectUnknownOptions('producer', o, PRODUCER_OPTION_NAMES);
  const d = PRODUCER_DEFAULTS;
  const acks = oneOfOption('acks', o.acks, d.acks, [-1, 0, 1] as const);
  const transactionalId = o.transactionalId ?? null;
  if (transactionalId !== null && (typeof transactionalId !== 'string' || transactionalId === '')) throw new KafkaConfigError('transactionalId must be a non-empty string');
  if (transactionalId !== null && o.idempotent === false) throw new KafkaConfigError('a transactional producer needs idempotence: remove idempotent: false');
  if (transactionalId !== null && acks !== -1) throw new KafkaConfigError(`a transactional producer needs acks: -1 (got acks: ${acks})`);
  const idempotentExplicit = o.idempotent !== undefined || transactionalId !== null;
  const idempotent = boolOption('idempotent', o.idempotent, acks === -1);
  if (idempotent && acks !== -1) {
    throw new KafkaConfigError(`idempotent: true needs acks: -1 (got acks: ${acks}), as Kafka requires for enable.idempotence`);
  }
  const compressionName = oneOfOption('compression', o.compression, d.compression as CompressionName, Object.keys(COMPRESSION_TYPES) as CompressionName[]);
  const maxInFlight = intOption('maxInFlightRequestsPerConnection', o.maxInFlightRequestsPerConnection, d.maxInFlightRequestsPerConnection, 1);
  if (idempotent && maxInFlight > 5) {
    throw new KafkaConfigError(`maxInFlightRequestsPerConnection must be at most 5 with idempotence (got ${maxInFlight}): the broker keeps only 5 batches per producer to detect duplicates`);
  }
  const partitioner = o.partitioner ?? d.partitioner;
  if (typeof partitioner !== 'function' && partitioner !== 'murmur2' && partitioner !== 'crc32') {
    throw new KafkaConfigError(`partitioner must be 'murmur2', 'crc32' or a function, got ${JSON.stringify(partitioner)}`);
  }
  const client = resolveClientOptions(o);
  const maxRequestSize = intOption('maxRequestSize', o.maxRequestSize, d.maxRequestSize, 1024);
  return {
    client,
    acks,
    idempotent,
    idempotentExplicit,
    compression: COMPRESSION_TYPES[compressionName],
    compressionName,
    lingerMs: intOption('lingerMs', o.lingerMs, d.lingerMs, 0),
    batchSize: intOption('batchSize', o.batchSize, d.batchSize, 1),
    maxRequestSize,
    bufferMemory: intOption('bufferMemory', o.bufferMemory, d.bufferMemory, maxRequestSize),
    maxBlockMs: intOption('maxBlockMs', o.maxBlockMs, d.maxBlockMs, 0),
    deliveryTimeoutMs: intOption('deliveryTimeoutMs', o.deliveryTimeoutMs, d.deliveryTimeoutMs, 1),
    maxInFlightRequestsPerConnection: maxInFlight,
    partitioner,
    retries: o.retries === undefined ? Number.MAX_SAFE_INTEGER : client.retries,
    transactionalId,
    transactionTimeoutMs: intOption('transactionTimeoutMs', o.transactionTimeoutMs, d.transactionTimeoutMs, 1),
  };
}
