import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * librdkafka 2.15's mock cluster, started through @confluentinc/kafka-javascript (built by
 * scripts/test-setup.sh): unlike Debian's 2.0.2, it serves ConsumerGroupHeartbeat v1 (KIP-848),
 * so our client's consumer protocol is checked against a coordinator we did not write.
 */
const SCRIPT = `
import { createRequire } from 'node:module';
import { join } from 'node:path';
const require = createRequire(join(process.cwd(), 'test/compat/librdkafka/package.json'));
const Kafka = require('@confluentinc/kafka-javascript');
const p = new Kafka.Producer({ 'test.mock.num.brokers': 1, 'bootstrap.servers': 'dummy:1', 'log_level': 0 });
p.connect({}, (err, md) => {
  if (err) { console.error(String(err)); process.exit(1); }
  console.log('BROKERS ' + md.brokers.map((b) => b.host + ':' + b.port).join(','));
});
process.stdin.on('end', () => p.disconnect(() => process.exit(0)));
process.stdin.resume();
`;

export async function startMockCluster215(): Promise<{ bootstrap: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'], cwd: process.cwd() });
  const lines = createInterface({ input: child.stdout! });
  const bootstrap = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the 2.15 mock cluster did not start within 15 s')), 15_000);
    child.once('exit', (code) => reject(new Error(`the 2.15 mock cluster exited with ${code}`)));
    lines.on('line', (line) => {
      if (line.startsWith('BROKERS ')) {
        clearTimeout(timer);
        resolve(line.slice(8).trim());
      }
    });
  });
  return {
    bootstrap,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end();
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      }),
  };
}
