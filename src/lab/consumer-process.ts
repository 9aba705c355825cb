import diagnostics_channel from 'node:diagnostics_channel';
import { createConsumer, GROUP_CHANNELS, type GroupChannelMessage } from '../client/index.js';
import type { LabChildMessage, LabConsumerConfig, LabParentMessage } from './ipc.js';

/**
 * One consumer of a lab scenario, in a process of its own so that a crash is a real SIGKILL and a
 * stall a real SIGSTOP. It runs the Samsa client consumer with the scenario's settings and tells
 * the parent, after each batch and before the batch's offsets are marked processed, which records
 * it handled. A record reported here and processed again by another member is a duplicate.
 */

const cfg = JSON.parse(process.argv[2]!) as LabConsumerConfig;
const nowMs = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tell(m: LabChildMessage): void {
  if (process.connected) process.send!(m, (err: Error | null) => void err);
}

let startSignal!: () => void;
let stopSignal!: () => void;
const started = new Promise<void>((r) => (startSignal = r));
const stopped = new Promise<void>((r) => (stopSignal = r));
let stallNextMs = 0;
process.on('message', (m: LabParentMessage) => {
  if (m.cmd === 'start') startSignal();
  else if (m.cmd === 'stop') stopSignal();
  else stallNextMs = m.durationMs;
});
// The lab went away: nothing left to report to.
process.on('disconnect', () => process.exit(0));

// Group facts the client publishes, for the timeline (who timed out, who left and why).
const forward = (name: string) => (msg: unknown) => {
  const m = msg as GroupChannelMessage;
  if (m.clientId !== cfg.name) return;
  const detail = m.name === 'leave' ? m.reason : m.name === 'rebalance-start' ? m.reason : m.name === 'poll-timeout' ? `no poll for ${m.maxPollIntervalMs} ms` : '';
  tell({ ev: 'group', atMs: nowMs(), name, detail });
};
// What it owns after each rebalance, from the member state machine itself (also when it got nothing).
diagnostics_channel.subscribe(GROUP_CHANNELS.rebalanceEnd, (msg: unknown) => {
  const m = msg as GroupChannelMessage<'rebalance-end'>;
  if (m.clientId !== cfg.name) return;
  const partitions = m.assigned.map((tp) => tp.partition).sort((a, b) => a - b);
  tell({ ev: 'assignment', atMs: nowMs(), partitions, generationId: m.generationId, memberId: m.memberId, revoked: !m.final });
});
for (const channel of [GROUP_CHANNELS.pollTimeout, GROUP_CHANNELS.sessionTimeout, GROUP_CHANNELS.leave, GROUP_CHANNELS.rebalanceStart]) {
  diagnostics_channel.subscribe(channel, forward(channel.slice(channel.lastIndexOf(':') + 1)));
}

async function main(): Promise<void> {
  tell({ ev: 'ready' });
  await started;
  const consumer = createConsumer({
    bootstrapServers: cfg.bootstrapServers,
    clientId: cfg.name,
    groupId: cfg.groupId,
    ...(cfg.staticMember ? { groupInstanceId: cfg.name } : {}),
    sessionTimeoutMs: cfg.sessionTimeoutMs,
    heartbeatIntervalMs: cfg.heartbeatIntervalMs,
    maxPollIntervalMs: cfg.maxPollIntervalMs,
    partitionAssignmentStrategy: [cfg.strategy],
    autoOffsetReset: 'earliest',
    autoCommit: true,
    autoCommitIntervalMs: cfg.autoCommitIntervalMs,
    commitOnRevoke: cfg.commit === 'on-revoke',
    metadataMaxAgeMs: cfg.metadataMaxAgeMs,
  });
  await consumer.subscribe({ topics: [cfg.topic] });
  await consumer.run({
    partitionsConsumedConcurrently: cfg.partitions,
    eachBatch: async ({ batch }) => {
      const n = batch.messages.length;
      if (n === 0) return;
      if (stallNextMs > 0) {
        const ms = stallNextMs;
        stallNextMs = 0;
        tell({ ev: 'stalled', atMs: nowMs(), durationMs: ms });
        await sleep(ms);
      }
      if (cfg.handlerMsPerRecord > 0) await sleep(cfg.handlerMsPerRecord * n);
      tell({ ev: 'processed', atMs: nowMs(), batches: [[batch.partition, batch.messages[0]!.offset, batch.messages[n - 1]!.offset, n]] });
    },
  });
  tell({ ev: 'started' });
  await stopped;
  await consumer.close();
  await new Promise<void>((resolve) => (process.connected ? process.send!({ ev: 'stopped' } satisfies LabChildMessage, () => resolve()) : resolve()));
}

try {
  await main();
  process.exit(0);
} catch (err) {
  tell({ ev: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  setTimeout(() => process.exit(1), 100);
}
