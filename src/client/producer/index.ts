export { Producer, createProducer, type ProducerMessage, type ProducerRecord, type ProducerBatchRecord, type MessageBytes, type MessageHeaders } from './producer.js';
export { type RecordMetadata } from './batch.js';
export { type ProducerOptions, type CompressionName, PRODUCER_DEFAULTS } from './options.js';
export { type Partitioner, type PartitionerArgs, type PartitionerName, murmur2Partitioner, crc32Partitioner, crc32 } from './partitioners.js';
export { type ConsumerGroupMetadata, type TransactionOffset } from './transactions.js';
