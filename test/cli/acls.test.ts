import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { makeTempDir, spawnBroker, type BrokerProcess } from '../helpers/index.js';
import { samsa, samsaOk } from './helpers.js';

function properties(file: string, user: string, password: string): string {
  writeFileSync(file, [
    'security.protocol=SASL_PLAINTEXT',
    'sasl.mechanism=SCRAM-SHA-512',
    `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${password}";`,
    '',
  ].join('\n'));
  return file;
}

describe('cli: samsa acls, and samsa start --authorizer', () => {
  it('adds, lists and removes ACLs as kafka-acls does; they hold across a broker restart', async () => {
    const dir = await makeTempDir('samsa-acls-cli-');
    let broker: BrokerProcess | null = null;
    try {
      await samsaOk(['users', 'add', 'admin', '--password', 'admin-pw', '--data-dir', dir.path]);
      await samsaOk(['users', 'add', 'reader', '--password', 'reader-pw', '--data-dir', dir.path]);
      const start = ['--listeners', 'SASL_PLAINTEXT://127.0.0.1:0', '--data-dir', dir.path, '--authorizer', '--super-users', 'User:admin'];
      broker = await spawnBroker(start);
      const asAdmin = ['--bootstrap-server', `127.0.0.1:${broker.listenerPorts.SASL_PLAINTEXT}`, '--command-config', properties(`${dir.path}/admin.properties`, 'admin', 'admin-pw')];
      const asReader = ['--bootstrap-server', `127.0.0.1:${broker.listenerPorts.SASL_PLAINTEXT}`, '--command-config', properties(`${dir.path}/reader.properties`, 'reader', 'reader-pw')];
      await samsaOk(['topics', 'create', '--topic', 'orders', ...asAdmin]);
      await samsaOk(['topics', 'create', '--topic', 'secret', ...asAdmin]);

      const added = await samsaOk(['acls', 'add', '--allow-principal', 'User:reader', '--consumer', '--topic', 'orders', '--group', 'readers', ...asAdmin]);
      assert.match(added.stdout, /Added ALLOW User:reader from \* READ on topic:LITERAL:orders/);
      assert.match(added.stdout, /Added ALLOW User:reader from \* READ on group:LITERAL:readers/);
      await samsaOk(['acls', 'add', '--deny-principal', 'User:reader', '--operation', 'Describe', '--topic', 'sec', '--resource-pattern-type', 'prefixed', ...asAdmin]);

      const listed = JSON.parse((await samsaOk(['acls', 'list', '--format', 'json', ...asAdmin])).stdout) as { acls: Array<Record<string, string>> };
      assert.deepEqual(listed.acls.map((a) => `${a.permission} ${a.operation} ${a.resourceType}:${a.patternType}:${a.resourceName}`).sort(), [
        'allow describe topic:literal:orders',
        'allow read group:literal:readers',
        'allow read topic:literal:orders',
        'deny describe topic:prefixed:sec',
      ]);
      const forOrders = await samsaOk(['acls', 'list', '--topic', 'orders', ...asAdmin]);
      assert.match(forOrders.stdout, /RESOURCE-TYPE\s+NAME\s+PATTERN\s+PRINCIPAL\s+HOST\s+OPERATION\s+PERMISSION/);
      assert.equal(forOrders.stdout.trim().split('\n').length, 3, 'header and the two ACLs of orders');

      const readerTopics = await samsaOk(['topics', 'list', '--format', 'json', ...asReader]);
      assert.deepEqual((JSON.parse(readerTopics.stdout) as { topics: Array<{ topic: string }> }).topics.map((t) => t.topic), ['orders']);
      const refused = await samsa(['acls', 'list', ...asReader]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /CLUSTER_AUTHORIZATION_FAILED/);
      const deleteRefused = await samsa(['topics', 'delete', '--topic', 'orders', ...asReader]);
      assert.equal(deleteRefused.code, 1);
      assert.match(deleteRefused.stderr, /TOPIC_AUTHORIZATION_FAILED/);

      await broker.kill();
      broker = await spawnBroker(start);
      const again = ['--bootstrap-server', `127.0.0.1:${broker.listenerPorts.SASL_PLAINTEXT}`, asAdmin[2]!, asAdmin[3]!];
      assert.equal(JSON.parse((await samsaOk(['acls', 'list', '--format', 'json', ...again])).stdout).acls.length, 4);
      const removed = await samsaOk(['acls', 'remove', '--topic', 'orders', ...again]);
      assert.equal(removed.stdout.trim().split('\n').length, 2);
      assert.match(removed.stdout, /Removed ALLOW User:reader from \* DESCRIBE on topic:LITERAL:orders/);
      assert.equal(JSON.parse((await samsaOk(['acls', 'list', '--format', 'json', ...again])).stdout).acls.length, 2);

      const usage = await samsa(['acls', 'add', '--allow-principal', 'reader', '--topic', 'x', '--operation', 'Read', ...again]);
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /"reader" is not a principal/);
    } finally {
      await broker?.kill();
      await dir.remove();
    }
  });

  it('start refuses --super-users without --authorizer', async () => {
    const r = await samsa(['start', '--memory', '--port', '0', '--super-users', 'User:admin']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /superUsers and allowEveryoneIfNoAclFound need authorizer/);
  });
});
