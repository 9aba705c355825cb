/**
 * Settings of the classic group coordinator, named after Kafka's broker configs
 * (`group.initial.rebalance.delay.ms` → `initialRebalanceDelayMs`, ...). Defaults are Kafka's.
 */
export interface CoordinatorConfig {
  /** `group.initial.rebalance.delay.ms` (KIP-134): how long a new group waits for more members. */
  initialRebalanceDelayMs: number;
  /** `group.min.session.timeout.ms`. */
  minSessionTimeoutMs: number;
  /** `group.max.session.timeout.ms`. */
  maxSessionTimeoutMs: number;
  /** `group.max.size` (KIP-389). */
  maxGroupSize: number;
  /**
   * How long a member that joined but never completed a join phase may stay (Kafka hard-codes
   * 5 minutes): guards against clients that disconnected while their JoinGroup was parked.
   */
  newMemberJoinTimeoutMs: number;
  /** `offsets.retention.minutes`, in milliseconds. */
  offsetsRetentionMs: number;
  /** `offsets.retention.check.interval.ms`. */
  offsetsRetentionCheckIntervalMs: number;
  /** `offset.metadata.max.bytes` (Kafka compares the string's length in UTF-16 units). */
  offsetMetadataMaxBytes: number;
}

export const COORDINATOR_DEFAULTS: CoordinatorConfig = {
  initialRebalanceDelayMs: 3000,
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  maxGroupSize: 2_147_483_647,
  newMemberJoinTimeoutMs: 300_000,
  offsetsRetentionMs: 10_080 * 60_000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
};

/** Fills defaults and checks the relations Kafka's config validation enforces. */
export function resolveCoordinatorConfig(options: Partial<CoordinatorConfig> = {}): CoordinatorConfig {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const c: CoordinatorConfig = { ...COORDINATOR_DEFAULTS, ...defined };
  const check = (ok: boolean, message: string): void => {
    if (!ok) throw new RangeError(`invalid coordinator option: ${message}`);
  };
  check(c.initialRebalanceDelayMs >= 0, 'initialRebalanceDelayMs must be >= 0');
  check(c.minSessionTimeoutMs >= 0, 'minSessionTimeoutMs must be >= 0');
  check(c.maxSessionTimeoutMs >= c.minSessionTimeoutMs, 'maxSessionTimeoutMs must be >= minSessionTimeoutMs');
  check(c.maxGroupSize >= 1, 'maxGroupSize must be >= 1');
  check(c.newMemberJoinTimeoutMs > 0, 'newMemberJoinTimeoutMs must be positive');
  check(c.offsetsRetentionMs > 0, 'offsetsRetentionMs must be positive');
  check(c.offsetsRetentionCheckIntervalMs > 0, 'offsetsRetentionCheckIntervalMs must be positive');
  check(c.offsetMetadataMaxBytes >= 0, 'offsetMetadataMaxBytes must be >= 0');
  return c;
}
