import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { LogStore } from './types.js';

export * from './types.js';

export interface LogStoreOptions {
  /** null: everything in memory. */
  dataDir: string | null;
  segmentBytes: number;
  retentionMs: number;
  retentionBytes: number;
  flushPolicy: 'acks-all' | 'interval';
  flushIntervalMs: number;
  log: Logger;
  clock: Clock;
}

export async function openLogStore(_options: LogStoreOptions): Promise<LogStore> {
  throw new Error('storage is not implemented yet');
}
