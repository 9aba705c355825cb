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
  // ---- consumer groups (KIP-848), Kafka's `group.consumer.*` broker configs ----
  /** `group.consumer.session.timeout.ms`: decided by the broker, not the member. */
  consumerSessionTimeoutMs: number;
  /** `group.consumer.min.session.timeout.ms`. */
  consumerMinSessionTimeoutMs: number;
  /** `group.consumer.max.session.timeout.ms`. */
  consumerMaxSessionTimeoutMs: number;
  /** `group.consumer.heartbeat.interval.ms`: sent to every member in each heartbeat response. */
  consumerHeartbeatIntervalMs: number;
  /** `group.consumer.min.heartbeat.interval.ms`. */
  consumerMinHeartbeatIntervalMs: number;
  /** `group.consumer.max.heartbeat.interval.ms`. */
  consumerMaxHeartbeatIntervalMs: number;
  /** `group.consumer.max.size`. */
  consumerMaxGroupSize: number;
  /** `group.consumer.assignors`, by name; the first is the default for members that name none. */
  consumerAssignors: readonly string[];
  /** `group.consumer.migration.policy`: which non-empty groups convert between the protocols. */
  consumerMigrationPolicy: ConsumerMigrationPolicy;
}

/** Kafka's ConsumerGroupMigrationPolicy. */
export type ConsumerMigrationPolicy = 'disabled' | 'upgrade' | 'downgrade' | 'bidirectional';

/** The server-side assignors this coordinator knows (`group.consumer.assignors` values). */
export const CONSUMER_ASSIGNOR_NAMES: readonly string[] = ['uniform', 'range'];

export const COORDINATOR_DEFAULTS: CoordinatorConfig = {
  initialRebalanceDelayMs: 3000,
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  maxGroupSize: 2_147_483_647,
  newMemberJoinTimeoutMs: 300_000,
  offsetsRetentionMs: 10_080 * 60_000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
  consumerSessionTimeoutMs: 45_000,
  consumerMinSessionTimeoutMs: 45_000,
  consumerMaxSessionTimeoutMs: 60_000,
  consumerHeartbeatIntervalMs: 5000,
  consumerMinHeartbeatIntervalMs: 5000,
  consumerMaxHeartbeatIntervalMs: 15_000,
  consumerMaxGroupSize: 2_147_483_647,
  consumerAssignors: CONSUMER_ASSIGNOR_NAMES,
  consumerMigrationPolicy: 'bidirectional',
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
  checkConsumerGroupConfig(c, check);
  return c;
}

/** Kafka's GroupCoordinatorConfig checks on the `group.consumer.*` settings. */
function checkConsumerGroupConfig(c: CoordinatorConfig, check: (ok: boolean, message: string) => void): void {
  for (const key of [
    'consumerSessionTimeoutMs',
    'consumerMinSessionTimeoutMs',
    'consumerMaxSessionTimeoutMs',
    'consumerHeartbeatIntervalMs',
    'consumerMinHeartbeatIntervalMs',
    'consumerMaxHeartbeatIntervalMs',
    'consumerMaxGroupSize',
  ] as const) {
    check(Number.isInteger(c[key]) && c[key] >= 1, `${key} must be an integer >= 1`);
  }
  check(c.consumerMaxSessionTimeoutMs >= c.consumerMinSessionTimeoutMs, 'consumerMaxSessionTimeoutMs must be >= consumerMinSessionTimeoutMs');
  check(c.consumerSessionTimeoutMs >= c.consumerMinSessionTimeoutMs, 'consumerSessionTimeoutMs must be >= consumerMinSessionTimeoutMs');
  check(c.consumerSessionTimeoutMs <= c.consumerMaxSessionTimeoutMs, 'consumerSessionTimeoutMs must be <= consumerMaxSessionTimeoutMs');
  check(c.consumerMaxHeartbeatIntervalMs >= c.consumerMinHeartbeatIntervalMs, 'consumerMaxHeartbeatIntervalMs must be >= consumerMinHeartbeatIntervalMs');
  check(c.consumerHeartbeatIntervalMs >= c.consumerMinHeartbeatIntervalMs, 'consumerHeartbeatIntervalMs must be >= consumerMinHeartbeatIntervalMs');
  check(c.consumerHeartbeatIntervalMs <= c.consumerMaxHeartbeatIntervalMs, 'consumerHeartbeatIntervalMs must be <= consumerMaxHeartbeatIntervalMs');
  check(c.consumerHeartbeatIntervalMs < c.consumerSessionTimeoutMs, 'consumerHeartbeatIntervalMs must be < consumerSessionTimeoutMs');
  check(c.consumerAssignors.length > 0, 'consumerAssignors must name at least one assignor');
  for (const name of c.consumerAssignors) {
    check(CONSUMER_ASSIGNOR_NAMES.includes(name), `unknown consumer assignor '${name}' (known: ${CONSUMER_ASSIGNOR_NAMES.join(', ')})`);
  }
  check(new Set(c.consumerAssignors).size === c.consumerAssignors.length, 'consumerAssignors lists an assignor twice');
  check(['disabled', 'upgrade', 'downgrade', 'bidirectional'].includes(c.consumerMigrationPolicy), `consumerMigrationPolicy must be disabled, upgrade, downgrade or bidirectional`);
}
