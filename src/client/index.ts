/**
 * The Samsa client: producer, consumer and admin over one connection layer, for Samsa, Apache
 * Kafka and Redpanda alike.
 */
export { KafkaError, KafkaConfigError, type KafkaErrorContext } from './errors.js';
export { ErrorCode, errorName, isRetriable } from '../protocol/errors.js';
export { type ClientOptions, CLIENT_DEFAULTS } from './options.js';
export { CLIENT_CHANNELS, type ConnectEvent, type DisconnectEvent, type RequestErrorEvent, type MetadataEvent, type ProducerBatchSentEvent } from './events.js';
export { Cluster, type RequestTarget, type RequestOptions, type RequestResult, type MetadataQuery } from './net/cluster.js';
export { Producer, createProducer, PRODUCER_DEFAULTS, murmur2Partitioner, crc32Partitioner, type ProducerOptions, type ProducerMessage, type ProducerRecord, type ProducerBatchRecord, type RecordMetadata, type CompressionName, type Partitioner, type PartitionerArgs, type PartitionerName, type MessageHeaders, type ConsumerGroupMetadata, type TransactionOffset } from './producer/index.js';
export { Admin, createAdmin, type AdminOptions, type CreateTopicsOptions, type CreatePartitionsOptions, type DescribeConfigsOptions, type AlterOffsetsOptions, type CreateTopicSpec, type CreatedTopic, type TopicDescription, type PartitionDescription, type ConfigEntry, type ConfigResourceDescription, type AlterConfigResource, type AlterConfigOp, type GroupListing, type GroupDescription, type GroupMemberDescription, type CommittedOffset, type OffsetSpec, type PartitionOffset, type PartitionLag, type TopicPartitions } from './admin/index.js';
export { Consumer, createConsumer, CONSUMER_DEFAULTS, GROUP_CHANNELS, CONSUMER_CHANNELS, type ConsumerOptions, type ConsumerEvents, type AutoOffsetReset, type RunOptions, type SubscribeOptions, type RebalanceListener, type EachMessagePayload, type EachMessageHandler, type EachBatchPayload, type EachBatchHandler, type Batch, type ConsumedMessage, type TopicPartition, type TopicPartitionOffset, type GroupChannelMessage, type CommitEvent, type LagEvent, type HandlerErrorEvent, type OffsetResetEvent, type CrashEvent } from './consumer/index.js';
export { ExactlyOnceProcessor, type ExactlyOnceOptions, type ExactlyOnceEvents } from './exactly-once.js';
export { idempotentHandler, MemoryDedupeStore, FileDedupeStore, type IdempotentOptions, type IdempotentStats, type IdempotentHandler, type DedupeStore, type ProcessedRecord, type FileDedupeStoreOptions } from './idempotent/index.js';
