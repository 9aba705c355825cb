import type { DeliverySink, ProducerShape } from '../child-support.js';
import type { ChildConfig } from '../ipc.js';

export interface BenchProducer extends ProducerShape {
  close(): Promise<void>;
}

export interface BenchConsumer {
  /** Stops consuming gracefully (Kafka: commit and close; the others: ack what was handled). */
  stop(): Promise<void>;
}

export interface SystemClient {
  /** How each record is acknowledged, for the output. */
  describe: string;
  producer(cfg: ChildConfig): Promise<BenchProducer>;
  /** Connects and starts consuming; `onAssigned` reports Kafka partition assignments. */
  consumer(cfg: ChildConfig, sink: DeliverySink, onAssigned: (partitions: number[]) => void): Promise<BenchConsumer>;
}
