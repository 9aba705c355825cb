import { Prng } from '../../src/common/prng.js';
import type { RecordSpec } from './compaction-model.js';

/** Shared by the compaction crash test and its child: what each round appends, the same in both. */

export const CRASH_TOPIC_CONFIGS = { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '0', 'delete.retention.ms': '500', 'segment.bytes': '4096' };
export const CRASH_KEYS = 300;
const BATCHES_PER_ROUND = 60;

/** The broker clock during round `round`: a second per round, so tombstone horizons pass in later rounds. */
export const roundClockMs = (round: number): number => 1_000_000 + round * 1000;

export interface RoundBatch {
  records: RecordSpec[];
  timestamp: number;
}

/** The batches round `round` appends: overwrites of random keys, one record in ten a tombstone. */
export function roundBatches(round: number): RoundBatch[] {
  const prng = new Prng(round + 1);
  const batches: RoundBatch[] = [];
  for (let b = 0; b < BATCHES_PER_ROUND; b++) {
    const records = Array.from({ length: prng.int(1, 8) }, (_, i) => ({
      key: `key-${prng.int(0, CRASH_KEYS - 1)}`,
      value: prng.bool(0.1) ? null : `r${round}-b${b}-${i}`,
    }));
    batches.push({ records, timestamp: roundClockMs(round) });
  }
  return batches;
}
