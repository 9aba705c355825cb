import { MemoryCleanedSegments } from './cleaner/cleaned-segments.js';
import { MemorySegment } from './memory-segment.js';
import { newKafkaUuid } from './names.js';
import { SegmentedPartitionLog } from './partition-log.js';
import { BaseLogStore, type LogLocation, type StoreSettings } from './store-base.js';

/** Everything in memory (`dataDir: null`, `samsa start --memory`): the file store's semantics, no durability. */
export class MemoryLogStore extends BaseLogStore {
  readonly clusterId = newKafkaUuid();
  readonly repairs = [];

  constructor(settings: StoreSettings) {
    super(settings);
  }

  protected async openLog(location: LogLocation, _fresh: boolean): Promise<SegmentedPartitionLog> {
    const nowMs = this.settings.clock.nowMs();
    return new SegmentedPartitionLog({
      topic: location.topic,
      partition: location.partition,
      segments: [new MemorySegment(0, nowMs)],
      logStartOffset: 0,
      backend: {
        createSegment: (baseOffset, createdMs) => new MemorySegment(baseOffset, createdMs),
        persistLogStartOffset: async () => {},
        cleaned: new MemoryCleanedSegments(() => this.settings.clock.nowMs()),
      },
      config: location.config,
      tail: null,
      nowMs,
    });
  }

  protected async removeLogStorage(_dirName: string): Promise<void> {}

  protected async persistTopics(): Promise<void> {}
}
