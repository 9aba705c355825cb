/**
 * The broker's offline storage tools, for `samsa storage verify | repair` (the CLI reaches the
 * storage layer only through the broker). Both take the data dir's lock, so they refuse to run
 * while a broker has it open.
 */
export { partitionDirs, repairPartition, verifyDataDir, type DataDirCheck, type PartitionCheck, type PartitionDir } from '../storage/index.js';
export type { DamagedBytes, LostRange, RepairReport } from '../storage/types.js';
