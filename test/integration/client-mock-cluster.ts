import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * librdkafka's in-process mock cluster (a broker we did not write), started through Debian's
 * confluent-kafka Python module. It auto-creates topics on Metadata/Produce and has no
 * CreateTopics, ListGroups or DescribeGroups. Default partition count: `partitions`.
 */
export interface MockCluster {
  bootstrap: string;
  stop(): Promise<void>;
}

const SCRIPT = `
import sys, time
from confluent_kafka import Producer
p = Producer({'test.mock.num.brokers': int(sys.argv[1]), 'bootstrap.servers': 'dummy:1',
              'test.mock.broker.rtt': 0, 'log_level': 0})
md = p.list_topics(timeout=5)
print('BROKERS', ','.join(f'{b.host}:{b.port}' for b in md.brokers.values()), flush=True)
sys.stdin.read()
`;

export async function startMockCluster(brokers = 1): Promise<MockCluster> {
  const child: ChildProcess = spawn('/usr/bin/python3', ['-c', SCRIPT, String(brokers)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const bootstrap = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('mock cluster did not start within 10 s')), 10_000);
    child.once('exit', (code) => reject(new Error(`mock cluster exited with ${code}`)));
    lines.on('line', (line) => {
      if (line.startsWith('BROKERS ')) {
        clearTimeout(timer);
        resolve(line.slice(8).trim());
      }
    });
  });
  return {
    bootstrap,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.stdin!.end();
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    }),
  };
}
