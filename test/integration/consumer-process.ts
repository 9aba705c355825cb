import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { TopicPartition } from '../../src/client/group/types.js';

export interface ProcessedRecord {
  clientId: string;
  ms: number;
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
}

export interface CommitLine {
  clientId: string;
  ms: number;
  offsets: Array<TopicPartition & { offset: number }>;
  errorCode: number;
  reason: string;
}

/** A fetch answer of one partition: the consumer's next position after it. */
export interface FetchLine {
  clientId: string;
  partition: number;
  position: number;
}

export interface ConsumerProcess {
  readonly clientId: string;
  readonly child: ChildProcess;
  /** Resolves when the consumer has started (run() returned). */
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Listener calls seen so far, in order. */
  readonly listenerCalls: Array<{ t: 'assigned' | 'revoked' | 'lost'; partitions: TopicPartition[]; ms: number }>;
  /** SIGTERM: the consumer closes cleanly (commit, revoke, LeaveGroup); resolves on exit. */
  close(): Promise<void>;
  /** SIGKILL: no commit, no LeaveGroup. */
  kill(): Promise<void>;
}

/**
 * Runs test/integration/consumer-child in its own process (compiled JavaScript when the tests run
 * from dist/, the TypeScript source through tsx otherwise). Processed records and commits are
 * pushed to the shared arrays as the child reports them.
 */
export function spawnConsumer(
  config: { bootstrap: string; groupId: string; topic: string; clientId: string; options?: object; handlerDelayMs?: number; listener?: boolean; reportFetches?: boolean },
  sinks: { records: ProcessedRecord[]; commits: CommitLine[]; fetches?: FetchLine[] },
): ConsumerProcess {
  const self = fileURLToPath(import.meta.url);
  const compiled = self.endsWith('.js');
  const script = self.replace(/consumer-process\.(js|ts)$/, `consumer-child.${compiled ? 'js' : 'ts'}`);
  const args = compiled ? [script, JSON.stringify(config)] : ['--import', 'tsx', script, JSON.stringify(config)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => {
    if (process.env.CONSUMER_CHILD_DEBUG) process.stderr.write(b);
    stderr += b.toString('utf8');
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  const listenerCalls: ConsumerProcess['listenerCalls'] = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    switch (o.t) {
      case 'rec':
        sinks.records.push({ clientId: config.clientId, ms: o.ms as number, topic: o.topic as string, partition: o.partition as number, offset: o.offset as number, key: o.key as string | null, value: o.value as string | null });
        break;
      case 'commit':
        sinks.commits.push({ clientId: config.clientId, ms: o.ms as number, offsets: o.offsets as CommitLine['offsets'], errorCode: o.errorCode as number, reason: o.reason as string });
        break;
      case 'fetched':
        sinks.fetches?.push({ clientId: config.clientId, partition: o.partition as number, position: o.position as number });
        break;
      case 'assigned':
      case 'revoked':
      case 'lost':
        listenerCalls.push({ t: o.t, partitions: o.partitions as TopicPartition[], ms: o.ms as number });
        break;
      case 'ready':
        markReady();
        break;
    }
  });
  const readyOrExit = Promise.race([ready, exited.then((e) => Promise.reject(new Error(`consumer ${config.clientId} exited (${e.code ?? e.signal}) before it started: ${stderr}`)))]);
  return {
    clientId: config.clientId,
    child,
    ready: readyOrExit,
    exited,
    listenerCalls,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const e = await exited;
      if (e.code !== 0) throw new Error(`consumer ${config.clientId} did not close cleanly (${e.code ?? e.signal}): ${stderr}`);
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
