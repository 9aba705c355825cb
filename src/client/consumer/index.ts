export { Consumer, createConsumer, type ConsumerEvents } from './consumer.js';
export { CONSUMER_DEFAULTS, resolveConsumerOptions, type ConsumerOptions, type ResolvedConsumerOptions, type AutoOffsetReset } from './options.js';
export {
  GROUP_CHANNELS,
  CONSUMER_CHANNELS,
  type GroupChannelMessage,
  type CommitEvent,
  type LagEvent,
  type HandlerErrorEvent,
  type OffsetResetEvent,
  type CrashEvent,
} from './events.js';
export type {
  Batch,
  ConsumedMessage,
  EachBatchHandler,
  EachBatchPayload,
  EachMessageHandler,
  EachMessagePayload,
  RebalanceListener,
  RunOptions,
  SubscribeOptions,
  TopicPartition,
  TopicPartitionOffset,
} from './types.js';
