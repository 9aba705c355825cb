import diagnostics_channel from 'node:diagnostics_channel';
import type { GroupEvent, TopicPartition } from '../group/types.js';

/**
 * The consumer's instrumentation on node:diagnostics_channel (documented in docs/events.md).
 * Group membership facts come from the member state machine (src/client/group) and are
 * published here with the client and group they belong to.
 */
export const GROUP_CHANNELS = {
  join: 'samsa:client:group:join',
  sync: 'samsa:client:group:sync',
  rebalanceStart: 'samsa:client:group:rebalance-start',
  rebalanceEnd: 'samsa:client:group:rebalance-end',
  heartbeatFailure: 'samsa:client:group:heartbeat-failure',
  joinFailure: 'samsa:client:group:join-failure',
  coordinator: 'samsa:client:group:coordinator',
  leave: 'samsa:client:group:leave',
  pollTimeout: 'samsa:client:group:poll-timeout',
  sessionTimeout: 'samsa:client:group:session-timeout',
} as const;

export const CONSUMER_CHANNELS = {
  commit: 'samsa:client:consumer:commit',
  lag: 'samsa:client:consumer:lag',
  handlerError: 'samsa:client:consumer:handler-error',
  offsetReset: 'samsa:client:consumer:offset-reset',
  crash: 'samsa:client:consumer:crash',
} as const;

/** Every group event carries who published it; the rest is the GroupEvent of its name. */
export type GroupChannelMessage<N extends GroupEvent['name'] = GroupEvent['name']> = Extract<GroupEvent, { name: N }> & {
  clientId: string;
  groupId: string;
  groupInstanceId: string | null;
};

export interface CommitEvent {
  clientId: string;
  groupId: string;
  memberId: string;
  generationId: number;
  /** Why: `auto` (continuous or interval auto-commit), `manual` (commit()/commitAsync()), `revoke` (before giving partitions up), `close`. */
  reason: 'auto' | 'manual' | 'revoke' | 'close';
  offsets: Array<TopicPartition & { offset: number }>;
  /** 0 when every partition was committed; otherwise the first error code. */
  errorCode: number;
  durationMs: number;
}

export interface LagEvent {
  clientId: string;
  groupId: string;
  topic: string;
  partition: number;
  /** Next offset the consumer will fetch. */
  position: number;
  highWatermark: number;
  /** highWatermark - position (records in the log this consumer has not fetched yet). */
  lag: number;
}

export interface HandlerErrorEvent {
  clientId: string;
  groupId: string;
  topic: string;
  partition: number;
  offset: number;
  error: unknown;
  /** The records from `offset` on are delivered again after this delay. */
  retryInMs: number;
}

export interface OffsetResetEvent {
  clientId: string;
  groupId: string;
  topic: string;
  partition: number;
  /** Where the consumer starts: the committed offset, or the reset policy's answer. */
  offset: number;
  source: 'committed' | 'earliest' | 'latest' | 'out-of-range';
}

export interface CrashEvent {
  clientId: string;
  groupId: string;
  error: unknown;
}

const GROUP_CHANNEL_BY_NAME: Record<GroupEvent['name'], string> = {
  join: GROUP_CHANNELS.join,
  sync: GROUP_CHANNELS.sync,
  'rebalance-start': GROUP_CHANNELS.rebalanceStart,
  'rebalance-end': GROUP_CHANNELS.rebalanceEnd,
  'heartbeat-failure': GROUP_CHANNELS.heartbeatFailure,
  'join-failure': GROUP_CHANNELS.joinFailure,
  coordinator: GROUP_CHANNELS.coordinator,
  leave: GROUP_CHANNELS.leave,
  'poll-timeout': GROUP_CHANNELS.pollTimeout,
  'session-timeout': GROUP_CHANNELS.sessionTimeout,
};

const channels = new Map<string, diagnostics_channel.Channel>();
function channel(name: string): diagnostics_channel.Channel {
  let c = channels.get(name);
  if (c === undefined) channels.set(name, (c = diagnostics_channel.channel(name)));
  return c;
}

export function publishGroupEvent(clientId: string, groupId: string, groupInstanceId: string | null, event: GroupEvent): void {
  const c = channel(GROUP_CHANNEL_BY_NAME[event.name]);
  if (c.hasSubscribers) c.publish({ ...event, clientId, groupId, groupInstanceId });
}

function publish(name: string, message: object): void {
  const c = channel(name);
  if (c.hasSubscribers) c.publish(message);
}

export const publishCommit = (e: CommitEvent): void => publish(CONSUMER_CHANNELS.commit, e);
export const publishHandlerError = (e: HandlerErrorEvent): void => publish(CONSUMER_CHANNELS.handlerError, e);
export const publishOffsetReset = (e: OffsetResetEvent): void => publish(CONSUMER_CHANNELS.offsetReset, e);
export const publishCrash = (e: CrashEvent): void => publish(CONSUMER_CHANNELS.crash, e);

export function hasLagSubscribers(): boolean {
  return channel(CONSUMER_CHANNELS.lag).hasSubscribers;
}
export const publishLag = (e: LagEvent): void => publish(CONSUMER_CHANNELS.lag, e);
