import { LONG_MAX_TEXT } from '../storage/index.js';
import { BROKER_DEFAULTS, type BrokerConfig } from './config.js';

/** DescribeConfigs ConfigSource values (KIP-226). */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

/** DescribeConfigs ConfigType values (KIP-569). */
export const ConfigType = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const;

type ValueKind = 'long' | 'int' | 'short' | 'boolean' | 'double' | 'string' | 'list';

const KIND_TO_TYPE: Record<ValueKind, number> = {
  long: ConfigType.LONG,
  int: ConfigType.INT,
  short: ConfigType.SHORT,
  boolean: ConfigType.BOOLEAN,
  double: ConfigType.DOUBLE,
  string: ConfigType.STRING,
  list: ConfigType.LIST,
};

export interface TopicConfigDef {
  name: string;
  kind: ValueKind;
  /** The broker setting a topic inherits when it has no override (its Kafka synonym). */
  brokerSynonym: string;
  /** The value a topic gets without an override, from this broker's configuration. */
  brokerValue(config: BrokerConfig): string;
  /** Whether the broker's value was set by the operator (STATIC_BROKER_CONFIG) or is Kafka's default. */
  brokerValueIsSet(config: BrokerConfig): boolean;
  /** null when `value` is acceptable, else why not. */
  validate?(value: string): string | null;
  /** Whether Samsa acts on the setting; others are accepted and stored for tools that set them. */
  enforced: boolean;
  documentation: string;
}

function fixed(
  name: string,
  kind: ValueKind,
  brokerSynonym: string,
  value: string,
  documentation: string,
  validate?: (v: string) => string | null,
): TopicConfigDef {
  return { name, kind, brokerSynonym, brokerValue: () => value, brokerValueIsSet: () => false, validate, enforced: false, documentation };
}

function fromBroker<K extends keyof typeof BROKER_DEFAULTS>(
  name: string,
  kind: ValueKind,
  brokerSynonym: string,
  option: K,
  documentation: string,
  validate?: (v: string) => string | null,
): TopicConfigDef {
  return {
    name,
    kind,
    brokerSynonym,
    brokerValue: (config) => String(config[option]),
    brokerValueIsSet: (config) => config[option] !== BROKER_DEFAULTS[option],
    validate,
    enforced: true,
    documentation,
  };
}

const atLeast = (min: number) => (v: string): string | null => (Number(v) >= min ? null : `must be at least ${min}`);
const minusOneOrPositive = (v: string): string | null => (Number(v) === -1 || Number(v) > 0 ? null : 'must be -1 or positive');

/**
 * Topic configs Samsa knows, with Kafka's names. Settings marked `enforced: false` are accepted
 * and reported so that tools which always set them (e.g. `min.insync.replicas`) keep working,
 * but a single node has nothing to do with them (docs/limitations.md).
 */
export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  {
    ...fixed('cleanup.policy', 'list', 'log.cleanup.policy', 'delete', 'delete: drop old segments by retention.ms and retention.bytes. compact: the log cleaner keeps the latest record of each key. Both: both.', (v) =>
      v.split(',').every((p) => p.trim() === 'delete' || p.trim() === 'compact') ? null : "must be 'delete', 'compact' or both"),
    enforced: true,
  },
  fixed('compression.type', 'string', 'compression.type', 'producer', 'Only producer (keep what the producer sent) is supported.', (v) =>
    v === 'producer' ? null : "only 'producer' is supported"),
  fromBroker('max.message.bytes', 'int', 'message.max.bytes', 'messageMaxBytes', 'Largest record batch accepted by Produce.', atLeast(0)),
  fixed('message.timestamp.type', 'string', 'log.message.timestamp.type', 'CreateTime', 'Only CreateTime is supported.', (v) =>
    v === 'CreateTime' ? null : "only 'CreateTime' is supported"),
  fixed('min.insync.replicas', 'int', 'min.insync.replicas', '1', 'A single node always has one in-sync replica.', (v) =>
    v === '1' ? null : 'a single node has one replica'),
  fromBroker('retention.bytes', 'long', 'log.retention.bytes', 'logRetentionBytes', 'Per-partition size above which the oldest segments are deleted; -1 for no limit.', minusOneOrPositive),
  fromBroker('retention.ms', 'long', 'log.retention.ms', 'logRetentionMs', 'Age after which segments are deleted; -1 keeps data forever.', minusOneOrPositive),
  fromBroker('segment.bytes', 'int', 'log.segment.bytes', 'logSegmentBytes', 'Size at which a new segment file is started.', atLeast(14)),
  { ...fixed('segment.ms', 'long', 'log.roll.ms', '604800000', 'Age at which the active segment is rolled.', atLeast(1)), enforced: true },
  fromBroker('delete.retention.ms', 'long', 'log.cleaner.delete.retention.ms', 'logCleanerDeleteRetentionMs', 'How long a tombstone of a compacted topic stays after the cleaning that first kept it.', atLeast(0)),
  fromBroker('min.compaction.lag.ms', 'long', 'log.cleaner.min.compaction.lag.ms', 'logCleanerMinCompactionLagMs', 'Records younger than this are not compacted.', atLeast(0)),
  {
    ...fromBroker('max.compaction.lag.ms', 'long', 'log.cleaner.max.compaction.lag.ms', 'logCleanerMaxCompactionLagMs', 'Records older than this are compacted whatever the dirty ratio.', atLeast(1)),
    brokerValue: (config) => (Number.isFinite(config.logCleanerMaxCompactionLagMs) ? String(config.logCleanerMaxCompactionLagMs) : LONG_MAX_TEXT),
  },
  fromBroker('min.cleanable.dirty.ratio', 'double', 'log.cleaner.min.cleanable.ratio', 'logCleanerMinCleanableRatio', 'Share of not yet compacted bytes that makes the cleaner compact a log.', (v) =>
    Number(v) >= 0 && Number(v) <= 1 ? null : 'must be between 0 and 1'),
  fixed('file.delete.delay.ms', 'long', 'log.segment.delete.delay.ms', '60000', 'Accepted; segments are deleted at once.', atLeast(0)),
  fixed('flush.messages', 'long', 'log.flush.interval.messages', '9223372036854775807', 'Accepted; see the broker flush policy.', atLeast(1)),
  fixed('flush.ms', 'long', 'log.flush.interval.ms', '9223372036854775807', 'Accepted; see the broker flush policy.', atLeast(0)),
  fixed('index.interval.bytes', 'int', 'log.index.interval.bytes', '4096', 'Accepted; the storage picks its own index interval.', atLeast(0)),
  fixed('segment.index.bytes', 'int', 'log.index.size.max.bytes', '10485760', 'Accepted.', atLeast(4)),
  fixed('segment.jitter.ms', 'long', 'log.roll.jitter.ms', '0', 'Accepted.', atLeast(0)),
  fixed('preallocate', 'boolean', 'log.preallocate', 'false', 'Accepted.'),
  fixed('unclean.leader.election.enable', 'boolean', 'unclean.leader.election.enable', 'false', 'A single node has no elections.'),
  // Produce checks CreateTime against these from each batch's header (broker/timestamp-bounds.ts).
  {
    ...fixed('message.timestamp.before.max.ms', 'long', 'log.message.timestamp.before.max.ms', '9223372036854775807', 'Oldest CreateTime accepted, in ms before the broker clock (INVALID_TIMESTAMP beyond).', atLeast(0)),
    enforced: true,
  },
  {
    ...fixed('message.timestamp.after.max.ms', 'long', 'log.message.timestamp.after.max.ms', '9223372036854775807', 'Newest CreateTime accepted, in ms after the broker clock (INVALID_TIMESTAMP beyond).', atLeast(0)),
    enforced: true,
  },
  // Deprecated in Kafka 3.6 (KIP-937) but still set by clients and tools; bounds both sides
  // where before.max.ms / after.max.ms are not set, as Kafka 3.x does.
  {
    ...fixed('message.timestamp.difference.max.ms', 'long', 'log.message.timestamp.difference.max.ms', '9223372036854775807', 'Deprecated: largest difference between a CreateTime and the broker clock, either way, unless before/after.max.ms are set.', atLeast(0)),
    enforced: true,
  },
];

const BY_NAME = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));

export function topicConfigDef(name: string): TopicConfigDef | undefined {
  return BY_NAME.get(name);
}

function checkKind(kind: ValueKind, value: string): string | null {
  switch (kind) {
    case 'long':
    case 'int':
    case 'short':
      return /^-?\d+$/.test(value) ? null : 'must be an integer';
    case 'double':
      return value.trim() !== '' && Number.isFinite(Number(value)) ? null : 'must be a number';
    case 'boolean':
      return value === 'true' || value === 'false' ? null : "must be 'true' or 'false'";
    default:
      return null;
  }
}

/** Why the topic config `name = value` is not acceptable, or null when it is. */
export function checkTopicConfig(name: string, value: string | null): string | null {
  const def = BY_NAME.get(name);
  if (def === undefined) return `unknown topic config '${name}'`;
  if (value === null) return null;
  const problem = checkKind(def.kind, value) ?? def.validate?.(value) ?? null;
  return problem === null ? null : `invalid value '${value}' for ${name}: ${problem}`;
}

export interface DescribedConfig {
  name: string;
  value: string | null;
  source: number;
  configType: number;
  documentation: string;
  readOnly: boolean;
  /** Lower-precedence sources of the same setting, for DescribeConfigs with IncludeSynonyms. */
  synonyms: Array<{ name: string; value: string | null; source: number }>;
}

/** Every known topic config, with its effective value and where it comes from. */
export function describeTopicConfigs(config: BrokerConfig, overrides: Record<string, string>): DescribedConfig[] {
  return TOPIC_CONFIGS.map((def) => {
    const brokerValue = def.brokerValue(config);
    const brokerSource = def.brokerValueIsSet(config) ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
    const synonyms: DescribedConfig['synonyms'] = [];
    const override = overrides[def.name];
    if (override !== undefined) synonyms.push({ name: def.name, value: override, source: ConfigSource.TOPIC_CONFIG });
    synonyms.push({ name: def.brokerSynonym, value: brokerValue, source: brokerSource });
    return {
      name: def.name,
      value: override ?? brokerValue,
      source: override !== undefined ? ConfigSource.TOPIC_CONFIG : brokerSource,
      configType: KIND_TO_TYPE[def.kind],
      documentation: def.documentation,
      readOnly: false,
      synonyms,
    };
  });
}

/** The record-batch size limit of a topic: its max.message.bytes, else the broker's. */
export function topicMessageMaxBytes(config: BrokerConfig, overrides: Record<string, string>): number {
  const v = overrides['max.message.bytes'];
  return v === undefined ? config.messageMaxBytes : Number(v);
}

interface BrokerConfigEntry {
  name: string;
  kind: ValueKind;
  value: (config: BrokerConfig) => string | null;
  isSet: (config: BrokerConfig) => boolean;
  documentation: string;
}

function brokerOption<K extends keyof typeof BROKER_DEFAULTS>(name: string, kind: ValueKind, option: K, documentation: string): BrokerConfigEntry {
  return { name, kind, value: (c) => String(c[option]), isSet: (c) => c[option] !== BROKER_DEFAULTS[option], documentation };
}

/** The broker settings DescribeConfigs reports for a BROKER resource (all read-only here). */
export const BROKER_CONFIGS: readonly BrokerConfigEntry[] = [
  brokerOption('node.id', 'int', 'nodeId', 'This broker\'s id.'),
  brokerOption('broker.id', 'int', 'nodeId', 'Same as node.id.'),
  { name: 'listeners', kind: 'string', value: (c) => c.listeners.map((l) => `${l.name}://${l.host}:${l.port}`).join(','), isSet: () => true, documentation: 'Where the broker listens.' },
  { name: 'advertised.listeners', kind: 'string', value: (c) => c.listeners.map((l) => `${l.name}://${c.advertised.get(l.name)!.host}:${c.advertised.get(l.name)!.port || l.port}`).join(','), isSet: () => true, documentation: 'Where clients are told to connect.' },
  { name: 'log.dirs', kind: 'string', value: (c) => c.dataDir, isSet: () => true, documentation: 'Data directory (null when running in memory).' },
  brokerOption('auto.create.topics.enable', 'boolean', 'autoCreateTopics', 'Create unknown topics on Metadata and Produce.'),
  brokerOption('num.partitions', 'int', 'numPartitions', 'Partitions of auto-created topics.'),
  { name: 'default.replication.factor', kind: 'int', value: () => '1', isSet: () => false, documentation: 'A single node.' },
  { name: 'offsets.topic.replication.factor', kind: 'short', value: () => '1', isSet: () => false, documentation: 'A single node.' },
  brokerOption('log.retention.ms', 'long', 'logRetentionMs', 'Default topic retention.ms.'),
  brokerOption('log.retention.bytes', 'long', 'logRetentionBytes', 'Default topic retention.bytes.'),
  brokerOption('log.segment.bytes', 'int', 'logSegmentBytes', 'Default topic segment.bytes.'),
  brokerOption('log.retention.check.interval.ms', 'long', 'logRetentionCheckIntervalMs', 'How often retention runs.'),
  brokerOption('log.flush.interval.ms', 'long', 'flushIntervalMs', 'Period of the background fdatasync.'),
  brokerOption('message.max.bytes', 'int', 'messageMaxBytes', 'Largest record batch accepted.'),
  brokerOption('socket.request.max.bytes', 'int', 'maxRequestBytes', 'Largest request frame.'),
  brokerOption('group.initial.rebalance.delay.ms', 'int', 'groupInitialRebalanceDelayMs', 'KIP-134 delay of a new group\'s first rebalance.'),
  brokerOption('group.min.session.timeout.ms', 'int', 'groupMinSessionTimeoutMs', 'Smallest session timeout a member may ask for.'),
  brokerOption('group.max.session.timeout.ms', 'int', 'groupMaxSessionTimeoutMs', 'Largest session timeout a member may ask for.'),
  brokerOption('group.max.size', 'int', 'groupMaxSize', 'Most members in one group.'),
  brokerOption('offsets.retention.minutes', 'int', 'offsetsRetentionMinutes', 'How long an empty group\'s offsets are kept.'),
  brokerOption('log.cleaner.enable', 'boolean', 'logCleanerEnable', 'Compact cleanup.policy=compact topics in the background.'),
  brokerOption('log.cleaner.dedupe.buffer.size', 'long', 'logCleanerDedupeBufferSize', 'Memory of the cleaner\'s key to offset map.'),
  {
    ...brokerOption('log.cleaner.io.max.bytes.per.second', 'double', 'logCleanerIoMaxBytesPerSecond', 'The cleaner\'s read and write rate limit.'),
    // Kafka's default is Double.MAX_VALUE.
    value: (c) => (Number.isFinite(c.logCleanerIoMaxBytesPerSecond) ? String(c.logCleanerIoMaxBytesPerSecond) : '1.7976931348623157E308'),
  },
  brokerOption('log.cleaner.backoff.ms', 'long', 'logCleanerBackoffMs', 'The cleaner\'s pause when no log needs cleaning.'),
  brokerOption('log.cleaner.delete.retention.ms', 'long', 'logCleanerDeleteRetentionMs', 'Default topic delete.retention.ms.'),
  brokerOption('log.cleaner.min.compaction.lag.ms', 'long', 'logCleanerMinCompactionLagMs', 'Default topic min.compaction.lag.ms.'),
  {
    ...brokerOption('log.cleaner.max.compaction.lag.ms', 'long', 'logCleanerMaxCompactionLagMs', 'Default topic max.compaction.lag.ms.'),
    value: (c) => (Number.isFinite(c.logCleanerMaxCompactionLagMs) ? String(c.logCleanerMaxCompactionLagMs) : LONG_MAX_TEXT),
  },
  brokerOption('log.cleaner.min.cleanable.ratio', 'double', 'logCleanerMinCleanableRatio', 'Default topic min.cleanable.dirty.ratio.'),
];

/** Every reported broker setting with its value and source. */
export function describeBrokerConfigs(config: BrokerConfig): DescribedConfig[] {
  return BROKER_CONFIGS.map((e) => {
    const value = e.value(config);
    const source = e.isSet(config) ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
    return {
      name: e.name,
      value,
      source,
      configType: KIND_TO_TYPE[e.kind],
      documentation: e.documentation,
      readOnly: true,
      synonyms: [{ name: e.name, value, source }],
    };
  });
}
