import type { PartitionDamage } from './damage.js';

/**
 * The place of a partition whose log is offline (damage below its recovery point): no file is
 * open and nothing is read or written until it is repaired. It answers the store's maintenance
 * calls (sync, retention, close) with nothing to do.
 */
export class DamagedLog {
  constructor(readonly damage: PartitionDamage) {}

  /** Kept in the recovery-point checkpoint, so the damage is still judged the same way next time. */
  get recoveryPoint(): number {
    return this.damage.recoveryPoint;
  }

  async sync(): Promise<void> {}
  async close(): Promise<void> {}
  async destroy(): Promise<void> {}
  async enforceRetention(_nowMs: number): Promise<number> {
    return 0;
  }
}
