import { Kafka, logLevel, type Consumer, type ConsumerConfig } from 'kafkajs';
import { COORDINATOR_EVENTS, subscribeCoordinatorEvent, type CoordinatorEventPayloads } from '../../src/broker/index.js';
import type { TestBroker } from '../../src/testing/index.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

/** A kafkajs consumer whose latest assignment (from its GROUP_JOIN events) is kept. */
export interface KafkajsMember {
  readonly consumer: Consumer;
  /** Partitions of `topic` it was given at its last join, sorted; null before its first. */
  partitions(): number[] | null;
  /** How many times it joined (GROUP_JOIN events). */
  joins(): number;
  /** Resolves at its next GROUP_JOIN after now. */
  nextJoin(): Promise<number[]>;
}

/**
 * Starts a kafkajs consumer in this process: heartbeats every 100 ms so it reacts to a rebalance
 * at once; `sessionTimeout` is Kafka's usual 30 s: the tests move the coordinator's clock instead.
 */
export async function kafkajsMember(kit: TestBroker, clientId: string, groupId: string, topic: string, onMessage: (value: string, partition: number) => Promise<void> | void = () => {}, config: Partial<ConsumerConfig> = {}): Promise<KafkajsMember> {
  const kafka = new Kafka({ clientId, brokers: kit.brokers, logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 50, maxRetryTime: 500 } });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 30_000, rebalanceTimeout: 60_000, heartbeatInterval: 100, maxWaitTimeInMs: 100, ...config });
  let assigned: number[] | null = null;
  let joins = 0;
  const waiters: Array<(p: number[]) => void> = [];
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    assigned = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    joins++;
    for (const w of waiters.splice(0)) w(assigned);
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message, partition }) => onMessage(message.value?.toString() ?? '', partition) });
  return {
    consumer,
    partitions: () => assigned,
    joins: () => joins,
    nextJoin: () => new Promise((resolve) => waiters.push(resolve)),
  };
}

type Payload<N extends keyof CoordinatorEventPayloads> = CoordinatorEventPayloads[N];

/** Collects one coordinator event of one broker, for assertions. */
export function collect<N extends (typeof COORDINATOR_EVENTS)[keyof typeof COORDINATOR_EVENTS] & keyof CoordinatorEventPayloads>(kit: TestBroker, name: N): { events: Payload<N>[]; stop: () => void } {
  const events: Payload<N>[] = [];
  const stop = subscribeCoordinatorEvent(name, (e) => {
    if ((e as { port: number }).port === kit.broker.port) events.push(e);
  });
  return { events, stop };
}

/** Sum of the partitions each member holds in the snapshot. */
export function partitionCounts(group: { members: readonly { assignment: readonly { partitions: readonly number[] }[] }[] }): number[] {
  return group.members.map((m) => m.assignment.reduce((n, t) => n + t.partitions.length, 0)).sort((a, b) => a - b);
}
