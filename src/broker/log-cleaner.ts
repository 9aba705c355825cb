import { LogCleaner, type CleanerEvent } from '../storage/index.js';
import type { BrokerContext } from './context.js';
import { BROKER_EVENTS, publishBrokerEvent } from './events.js';

/**
 * The broker's log cleaner (Kafka's `log.cleaner.*` settings): compacts the store's
 * `cleanup.policy=compact` partitions in the background and publishes what each pass did.
 * Active producers' last batches are kept, even emptied, so their sequence numbers survive.
 */
export function startLogCleaner(ctx: BrokerContext): LogCleaner {
  const ref = () => ({ nodeId: ctx.config.nodeId, port: ctx.config.port });
  const onEvent = (e: CleanerEvent) => {
    if (e.kind === 'log-cleaned') publishBrokerEvent(BROKER_EVENTS.logCleaned, { ...ref(), ...e.stats });
    else if (e.kind === 'log-cleaning-aborted') publishBrokerEvent(BROKER_EVENTS.logCleaningAborted, { ...ref(), topic: e.topic, partition: e.partition, reason: e.reason });
    else publishBrokerEvent(BROKER_EVENTS.logCleaningFailed, { ...ref(), topic: e.topic, partition: e.partition, error: e.error });
  };
  const cleaner = new LogCleaner(ctx.store, {
    enabled: ctx.config.logCleanerEnable,
    dedupeBufferBytes: ctx.config.logCleanerDedupeBufferSize,
    ioMaxBytesPerSecond: ctx.config.logCleanerIoMaxBytesPerSecond,
    backoffMs: ctx.config.logCleanerBackoffMs,
    clock: ctx.clock,
    log: ctx.log,
    onEvent,
  });
  cleaner.start();
  return cleaner;
}
