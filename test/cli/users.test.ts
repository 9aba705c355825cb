import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createAdmin, KafkaError } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { saltPassword, ScramClientExchange } from '../../src/protocol/sasl/scram.js';
import { makeTempDir, makeTestCertificates, RawConnection, runProgram, samsaCommand, spawnBroker, startTestBroker } from '../helpers/index.js';

async function samsa(args: string[], input?: string): Promise<string> {
  const { command, args: base } = samsaCommand();
  return (await runProgram(command, [...base, ...args], { input })).stdout;
}

async function canLogIn(bootstrap: string, username: string, password: string, mechanism = 'scram-sha-256'): Promise<boolean> {
  const admin = createAdmin({ bootstrapServers: bootstrap, sasl: { mechanism, username, password }, retries: 0, connectionTimeoutMs: 5000 });
  try {
    await admin.listTopics();
    return true;
  } catch (err) {
    if (err instanceof KafkaError && err.code === ErrorCode.SASL_AUTHENTICATION_FAILED) return false;
    throw err;
  } finally {
    await admin.close();
  }
}

describe('cli: samsa users, and the SCRAM credential APIs', () => {
  it('users added to a data directory log in; a running broker sees additions and deletions; only salted keys are stored', async () => {
    const dir = await makeTempDir('samsa-users-');
    const broker = { kill: async () => {} } as { kill(): Promise<unknown> };
    try {
      assert.match(await samsa(['users', 'add', 'alice', '--password-stdin', '--data-dir', dir.path], 'alice-secret\n'), /user alice: SCRAM-SHA-256, SCRAM-SHA-512/);
      const file = readFileSync(`${dir.path}/security/scram-credentials.json`, 'utf8');
      assert.ok(!file.includes('alice-secret'), 'no password in the file');
      const b = await spawnBroker(['--listeners', 'SASL_PLAINTEXT://127.0.0.1:0', '--data-dir', dir.path]);
      broker.kill = () => b.kill();
      const bootstrap = `127.0.0.1:${b.listenerPorts.SASL_PLAINTEXT}`;
      assert.ok(await canLogIn(bootstrap, 'alice', 'alice-secret'));
      assert.ok(await canLogIn(bootstrap, 'alice', 'alice-secret', 'plain'), 'PLAIN is checked against the SCRAM credential');
      assert.ok(!(await canLogIn(bootstrap, 'alice', 'wrong')));
      await samsa(['users', 'add', 'bob', '--password', 'bob-pw', '--mechanism', 'SCRAM-SHA-512', '--data-dir', dir.path]);
      assert.ok(await canLogIn(bootstrap, 'bob', 'bob-pw', 'scram-sha-512'), 'added while the broker runs');
      assert.ok(!(await canLogIn(bootstrap, 'bob', 'bob-pw', 'scram-sha-256')), 'only the mechanism asked for');
      assert.match(await samsa(['users', 'list', '--data-dir', dir.path]), /alice\s+SCRAM-SHA-256, SCRAM-SHA-512\s+4096, 4096\n.*bob\s+SCRAM-SHA-512/s);
      await samsa(['users', 'delete', 'alice', '--data-dir', dir.path]);
      assert.ok(!(await canLogIn(bootstrap, 'alice', 'alice-secret')), 'deleted while the broker runs');

      // Kafka's tools manage users through the broker: DescribeUserScramCredentials and AlterUserScramCredentials.
      const c = await RawConnection.connect(b.listenerPorts.SASL_PLAINTEXT!);
      await c.request(17, 1, { mechanism: 'SCRAM-SHA-512' });
      const scram = new ScramClientExchange('SCRAM-SHA-512', 'bob', 'bob-pw', 'n0nce');
      const first = await c.request(36, 2, { authBytes: scram.first() });
      assert.equal((await c.request(36, 2, { authBytes: scram.final(first.authBytes) })).errorCode, ErrorCode.NONE);
      const salt = Buffer.from('carol-salt');
      const altered = await c.request(51, 0, {
        deletions: [{ name: 'nobody', mechanism: 1 }],
        upsertions: [
          { name: 'carol', mechanism: 1, iterations: 4096, salt, saltedPassword: saltPassword('SCRAM-SHA-256', 'carol-pw', salt, 4096) },
          { name: 'dave', mechanism: 1, iterations: 10, salt, saltedPassword: Buffer.alloc(32) },
        ],
      });
      assert.deepEqual(altered.results.map((r) => [r.user, r.errorCode]), [['nobody', ErrorCode.RESOURCE_NOT_FOUND], ['carol', ErrorCode.NONE], ['dave', ErrorCode.UNACCEPTABLE_CREDENTIAL]]);
      const described = await c.request(50, 0, { users: [{ name: 'carol' }, { name: 'zed' }] });
      assert.deepEqual(described.results.map((r) => [r.user, r.errorCode, r.credentialInfos.map((i) => [i.mechanism, i.iterations])]), [['carol', 0, [[1, 4096]]], ['zed', ErrorCode.RESOURCE_NOT_FOUND, []]]);
      c.close();
      assert.ok(await canLogIn(bootstrap, 'carol', 'carol-pw'), 'a user added through the API logs in');
      assert.match(await samsa(['users', 'list', '--data-dir', dir.path]), /carol/, 'and is durable in the data directory');
    } finally {
      await broker.kill();
      await dir.remove();
    }
  });
});

describe('cli: --command-config', () => {
  it("reads Kafka tools' client.properties to reach a SASL_SSL broker; a bad file is a usage error", async () => {
    const certs = await makeTestCertificates();
    const broker = await startTestBroker({ listeners: 'SASL_SSL://127.0.0.1:0', tls: { keyFile: certs.serverKeyFile, certFile: certs.serverCertFile }, saslUsers: { alice: 'alice-secret' } });
    try {
      const props = `${certs.dir}/client.properties`;
      writeFileSync(props, [
        `bootstrap.servers=127.0.0.1:${broker.port}`,
        'security.protocol=SASL_SSL',
        'sasl.mechanism=SCRAM-SHA-256',
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";',
        'ssl.truststore.type=PEM',
        `ssl.truststore.location=${certs.caFile}`,
      ].join('\n'));
      await samsa(['topics', 'create', '--topic', 'secured', '--partitions', '2', '--command-config', props]);
      assert.match(await samsa(['topics', 'list', '--command-config', props]), /secured/);
      writeFileSync(props, 'security.protocol=SASL_SSL\nsasl.mechanism=GSSAPI\n');
      const { command, args } = samsaCommand();
      await assert.rejects(runProgram(command, [...args, 'topics', 'list', '--command-config', props]), /exited with 2[\s\S]*GSSAPI is not supported/);
    } finally {
      await broker.close();
      await certs.remove();
    }
  });
});
