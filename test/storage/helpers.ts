import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/common/clock.js';
import { MemoryLogger } from '../../src/common/logger.js';
import type { LogStoreOptions } from '../../src/storage/index.js';
import { CLEAN_SHUTDOWN_FILE, readRecoveryPoints, writeRecoveryPoints } from '../../src/storage/recovery-point.js';

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

/**
 * Makes a data dir closed by a store look as if its process had died after syncing only below
 * the given recovery points (partition directory -> offset): the clean-shutdown marker goes and
 * the checkpoint holds those points, so the next open recovers as after a crash.
 */
export async function simulateCrash(dataDir: string, recoveryPoints: Record<string, number>): Promise<void> {
  const points = await readRecoveryPoints(dataDir);
  for (const [dirName, offset] of Object.entries(recoveryPoints)) points.set(dirName, offset);
  await writeRecoveryPoints(dataDir, points);
  await rm(join(dataDir, CLEAN_SHUTDOWN_FILE), { force: true });
}
