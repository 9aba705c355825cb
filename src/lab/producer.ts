import { createProducer, type Producer } from '../client/index.js';

/**
 * The scenario's producer, in the lab's own process: `ratePerSecond` records spread evenly over
 * the partitions (record n goes to partition n mod count), so every partition always has work
 * waiting and a gap in its handling is a pause, not an idle stretch. Sends what is due every 10 ms;
 * when the broker falls behind, the records due pile up and go in the next send.
 */
export class RateProducer {
  private producer: Producer;
  private timer: NodeJS.Timeout | null = null;
  private startedMs = 0;
  private due = 0;
  private seq = 0;
  private inFlight = 0;
  acked = 0;
  failed = 0;
  lastError: string | null = null;
  private idle: Array<() => void> = [];

  constructor(private readonly bootstrapServers: string, private readonly topic: string, private readonly ratePerSecond: number, private partitions: number) {
    this.producer = RateProducer.create(bootstrapServers);
  }

  private static create(bootstrapServers: string): Producer {
    return createProducer({ bootstrapServers, clientId: 'samsa-lab-producer', lingerMs: 5 });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  start(nowMs: number): void {
    this.startedMs = nowMs;
    this.timer = setInterval(() => this.tick(), 10);
  }

  /**
   * From now on records go to `count` partitions (after partitions were added). A producer only
   * learns of new partitions at its next metadata refresh; a fresh one asks at its first send.
   */
  async setPartitions(count: number): Promise<void> {
    const next = RateProducer.create(this.bootstrapServers);
    await next.connect();
    const old = this.producer;
    this.producer = next;
    this.partitions = count;
    void old.flush().catch(() => {}).finally(() => old.close().catch(() => {}));
  }

  private tick(): void {
    const now = performance.timeOrigin + performance.now();
    this.due = Math.floor(((now - this.startedMs) * this.ratePerSecond) / 1000);
    if (this.inFlight >= 4 || this.seq >= this.due) return;
    const count = this.due - this.seq;
    const messages = new Array(count);
    for (let i = 0; i < count; i++) {
      const seq = this.seq + i;
      const value = Buffer.allocUnsafe(16);
      value.writeDoubleLE(seq, 0);
      value.writeDoubleLE(now, 8);
      messages[i] = { partition: seq % this.partitions, value };
    }
    this.seq += count;
    this.inFlight++;
    this.producer.send({ topic: this.topic, messages }).then(
      () => (this.acked += count),
      (err: unknown) => {
        this.failed += count;
        this.lastError = err instanceof Error ? err.message : String(err);
      },
    ).finally(() => {
      this.inFlight--;
      if (this.inFlight === 0) for (const w of this.idle.splice(0)) w();
    });
  }

  /** Stops sending and waits for the sends in flight. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.inFlight > 0) await new Promise<void>((r) => this.idle.push(r));
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
