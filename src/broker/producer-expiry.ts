import type { BrokerContext } from './context.js';

/**
 * Every `producer.id.expiration.check.interval.ms`, each partition forgets the producers idle for
 * `producer.id.expiration.ms` that have no transaction open there (Kafka's
 * removeExpiredProducers). Their retries are then no longer recognised as duplicates, as in Kafka.
 */
export function startProducerExpiryTimer(ctx: BrokerContext): { runNow(): number; stop(): void } {
  const runNow = (): number => {
    const nowMs = ctx.clock.nowMs();
    let removed = 0;
    for (const topic of ctx.store.listTopics()) {
      for (let p = 0; p < topic.partitions; p++) removed += ctx.store.partition(topic.name, p)?.producers.expire(nowMs, ctx.config.producerIdExpirationMs) ?? 0;
    }
    if (removed > 0) ctx.log.debug('expired idle producer ids', { removed });
    return removed;
  };
  const timer = setInterval(runNow, ctx.config.producerIdExpirationCheckIntervalMs);
  timer.unref();
  return { runNow, stop: () => clearInterval(timer) };
}
