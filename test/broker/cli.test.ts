import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { samsaCommand, spawnBroker } from '../helpers/index.js';

function samsa(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const { command, args: base } = samsaCommand();
  const r = spawnSync(command, [...base, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('samsa start', () => {
  it('prints one listen line, serves clients, and stops cleanly with exit 0 on SIGINT and SIGTERM', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const broker = await spawnBroker(['--memory', '--num-partitions', '2']);
      const kafka = new Kafka({ clientId: 'cli-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'cli' }] });
      assert.equal((await admin.fetchTopicMetadata({ topics: ['cli'] })).topics[0]!.partitions.length, 2);
      await admin.disconnect();
      const exit = await broker.kill(signal);
      assert.deepEqual(exit, { code: 0, signal: null }, `exit after ${signal}`);
    }
  });

  it('rejects invalid flags with one error line, the usage, and exit code 2', () => {
    const cases: Array<[string[], RegExp]> = [
      [['start', '--port', 'abc'], /error: option '--port <port>' argument 'abc' is invalid/],
      [['start', '--no-such-flag'], /error: unknown option '--no-such-flag'/],
      [['start', '--port', '70000'], /error: invalid broker option: port must be 0-65535/],
      [['start', '--memory', '--data-dir', 'x'], /error: --memory and --data-dir cannot be used together/],
      [['start', '--flush-policy', 'sometimes'], /must be one of acks-all, interval/],
    ];
    for (const [args, pattern] of cases) {
      const r = samsa(...args);
      assert.equal(r.status, 2, `exit code for ${args.join(' ')}`);
      assert.match(r.stderr, pattern);
      assert.match(r.stderr, /Usage: samsa start \[options\]/);
      assert.equal(r.stdout, '');
    }
  });

  it('prints help and version with exit code 0', () => {
    const help = samsa('start', '--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--data-dir <dir>/);
    const version = samsa('--version');
    assert.equal(version.status, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  });
});
