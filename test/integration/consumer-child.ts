/**
 * A consumer in its own process, so a test can SIGKILL it. Argument 1 is a JSON object:
 * { bootstrap, groupId, topic, clientId, options?, handlerDelayMs?, listener? }.
 * It writes one JSON line per fact to stdout:
 *   {"t":"ready"}                                         consumer started
 *   {"t":"rec","ms",topic,partition,offset,key,value}     a record was processed (handler returned)
 *   {"t":"commit",offsets:[{topic,partition,offset}],errorCode}  a commit finished
 *   {"t":"assigned"|"revoked"|"lost",partitions,ms}       listener calls
 *   {"t":"fetched",partition,position}                    after each fetch (reportFetches: true)
 *   {"t":"closed"}                                        after SIGTERM: closed cleanly
 * SIGTERM closes the consumer (commit, revoke, LeaveGroup) and exits 0.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import { createStderrLogger } from '../../src/common/logger.js';
import { Consumer, CONSUMER_CHANNELS, type CommitEvent, type ConsumerOptions, type LagEvent } from '../../src/client/consumer/index.js';

interface ChildConfig {
  bootstrap: string;
  groupId: string;
  topic: string;
  clientId: string;
  options?: Partial<ConsumerOptions>;
  handlerDelayMs?: number;
  listener?: boolean;
  /** Report each fetch's new position (the lag channel), so a test can tell the fetch batch sizes. */
  reportFetches?: boolean;
}

const config = JSON.parse(process.argv[2]!) as ChildConfig;
const out = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

diagnostics_channel.subscribe(CONSUMER_CHANNELS.commit, (m) => {
  const e = m as CommitEvent;
  if (e.clientId === config.clientId) out({ t: 'commit', offsets: e.offsets, errorCode: e.errorCode, reason: e.reason, ms: Date.now() });
});

const consumer = new Consumer({
  ...(process.env.CONSUMER_CHILD_DEBUG ? { logger: createStderrLogger('warn') } : {}),
  bootstrapServers: config.bootstrap,
  groupId: config.groupId,
  clientId: config.clientId,
  autoOffsetReset: 'earliest',
  ...config.options,
  rebalanceListener: config.listener === false ? undefined : {
    onPartitionsAssigned: (partitions) => void out({ t: 'assigned', partitions, ms: Date.now() }),
    onPartitionsRevoked: (partitions) => void out({ t: 'revoked', partitions, ms: Date.now() }),
    onPartitionsLost: (partitions) => void out({ t: 'lost', partitions, ms: Date.now() }),
  },
});

if (config.reportFetches === true) {
  diagnostics_channel.subscribe(CONSUMER_CHANNELS.lag, (m) => {
    const e = m as LagEvent;
    if (e.clientId === config.clientId) out({ t: 'fetched', partition: e.partition, position: e.position });
  });
}

if (process.env.CONSUMER_CHILD_DEBUG) {
  for (const name of ['join', 'sync', 'rebalance-start', 'rebalance-end', 'heartbeat-failure', 'join-failure', 'leave', 'poll-timeout', 'session-timeout', 'coordinator']) {
    diagnostics_channel.subscribe(`samsa:client:group:${name}`, (m) => process.stderr.write(`${Date.now() % 100000} ${config.clientId} ${name} ${JSON.stringify(m).slice(0, 300)}\n`));
  }
}

const delayMs = config.handlerDelayMs ?? 0;
await consumer.subscribe({ topics: [config.topic] });
await consumer.run({
  eachMessage: async ({ message }) => {
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    out({ t: 'rec', ms: Date.now(), topic: message.topic, partition: message.partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? null });
  },
});
out({ t: 'ready' });

process.on('SIGTERM', () => {
  consumer.close().then(() => {
    out({ t: 'closed' });
    process.exit(0);
  }, (err) => {
    process.stderr.write(`close failed: ${String(err)}\n`);
    process.exit(1);
  });
});
