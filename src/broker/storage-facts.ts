import type { BrokerContext } from './context.js';
import { BROKER_EVENTS, publishBrokerEvent } from './events.js';

/**
 * What the log store found while opening, published once the broker listens: partitions left
 * offline by damage below their recovery point, and those a `repair` start repaired. The store
 * already logged each (ERROR for damage, WARN for a repair) with files, positions and offsets.
 */
export function publishStorageFacts(ctx: BrokerContext): void {
  const ref = { nodeId: ctx.config.nodeId, port: ctx.config.port };
  for (const damage of ctx.store.damagedPartitions()) {
    publishBrokerEvent(BROKER_EVENTS.partitionOffline, { ...ref, topic: damage.topic, partition: damage.partition, recoveryPoint: damage.recoveryPoint, damaged: damage.damaged });
  }
  for (const repair of ctx.store.repairs) {
    publishBrokerEvent(BROKER_EVENTS.partitionRepaired, { ...ref, topic: repair.topic, partition: repair.partition, lost: repair.lost, logEndOffset: repair.logEndOffset });
  }
}
