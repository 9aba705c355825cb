import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/common/clock.js';
import { MemoryLogger } from '../../src/common/logger.js';
import type { LogStoreOptions } from '../../src/storage/index.js';

/** A fresh temporary data dir, removed by the returned cleanup. */
export async function tempDataDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'samsa-storage-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function fileStoreOptions(dataDir: string, overrides: Partial<LogStoreOptions> = {}): LogStoreOptions {
  return {
    dataDir,
    segmentBytes: 4096,
    retentionMs: -1,
    retentionBytes: -1,
    flushPolicy: 'acks-all',
    flushIntervalMs: 60_000,
    log: new MemoryLogger(),
    clock: new ManualClock(1_000_000),
    ...overrides,
  };
}
