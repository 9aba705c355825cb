import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/index.js';
import { parseTable, samsa, samsaOk } from './helpers.js';

describe('samsa topics, produce and consume against an embedded broker', () => {
  let broker: TestBroker;
  let bs: string[];

  before(async () => {
    broker = await startTestBroker();
    bs = ['--bootstrap-server', broker.bootstrap];
  });
  after(() => broker.close());

  it('creates, lists, describes, alters and deletes topics (table and json)', async () => {
    const created = await samsaOk(['topics', 'create', '--topic', 'cli-orders', '--partitions', '3', '--config', 'retention.ms=3600000', ...bs]);
    assert.equal(created.stdout, 'Created topic cli-orders (3 partitions).\n');

    const list = parseTable((await samsaOk(['topics', 'list', ...bs])).stdout);
    assert.deepEqual(list.find((r) => r.TOPIC === 'cli-orders'), { TOPIC: 'cli-orders', PARTITIONS: '3', 'REPLICATION-FACTOR': '1' });

    const described = JSON.parse((await samsaOk(['topics', 'describe', '--topic', 'cli-orders', '--format', 'json', ...bs])).stdout);
    assert.equal(described.topic, 'cli-orders');
    assert.equal(described.partitions.length, 3);
    assert.deepEqual(described.partitions[0], { partition: 0, leader: broker.config.nodeId, replicas: [broker.config.nodeId], isr: [broker.config.nodeId], logStartOffset: 0, logEndOffset: 0 });
    assert.equal(described.configs['retention.ms'], '3600000');

    const table = (await samsaOk(['topics', 'describe', '--topic', 'cli-orders', ...bs])).stdout;
    assert.match(table, /^TOPIC +cli-orders$/m);
    assert.match(table, /^CONFIGS +retention\.ms=3600000$/m);
    assert.deepEqual(Object.keys(parseTable(table.split('\n\n')[1]!)[0]!), ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LOG-START-OFFSET', 'LOG-END-OFFSET']);

    const altered = JSON.parse((await samsaOk(['topics', 'alter', '--topic', 'cli-orders', '--partitions', '5', '--format', 'json', ...bs])).stdout);
    assert.equal(altered.partitions, 5);
    const shrink = await samsa(['topics', 'alter', '--topic', 'cli-orders', '--partitions', '2', ...bs]);
    assert.equal(shrink.code, 1);
    assert.equal(shrink.stderr, 'error: cli-orders has 5 partitions; Kafka can only add partitions, not remove them\n');

    assert.deepEqual(JSON.parse((await samsaOk(['topics', 'delete', '--topic', 'cli-orders', '--format', 'json', ...bs])).stdout), { deleted: ['cli-orders'] });
    const gone = await samsa(['topics', 'describe', '--topic', 'cli-orders', ...bs]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /^error: UNKNOWN_TOPIC_OR_PARTITION \(3\).*cli-orders/);
    assert.equal(gone.stderr.split('\n').length, 2, 'one line');
  });

  it('produces stdin lines with keys and headers, and consumes them back without a group', async () => {
    await samsaOk(['topics', 'create', '--topic', 'cli-lines', '--partitions', '2', ...bs]);
    const input = 'k1:first\nk2:second:with:colons\nk1:third\n';
    const produced = await samsaOk(['produce', '--topic', 'cli-lines', '--key-separator', ':', '--headers', 'source=cli,run=1', '--format', 'json', ...bs], { input });
    const summary = JSON.parse(produced.stdout);
    assert.equal(summary.records, 3);
    assert.equal(summary.partitions.reduce((n: number, p: { records: number }) => n + p.records, 0), 3);

    const consumed = await samsaOk(['consume', '--topic', 'cli-lines', '--from-beginning', '--max-messages', '3', '--format', 'json', ...bs]);
    const records = consumed.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(records.map((r) => [r.key, r.value]).sort(), [['k1', 'first'], ['k1', 'third'], ['k2', 'second:with:colons']]);
    // Same key, same partition, in order.
    const k1 = records.filter((r) => r.key === 'k1');
    assert.equal(k1[0].partition, k1[1].partition);
    assert.ok(k1[0].offset < k1[1].offset);
    assert.deepEqual(records[0].headers, [{ key: 'source', value: 'cli' }, { key: 'run', value: '1' }]);

    const text = await samsaOk(['consume', '--topic', 'cli-lines', '--from-beginning', '--max-messages', '3', '--print-key', '--key-separator', '=', ...bs]);
    assert.deepEqual(text.stdout.trim().split('\n').sort(), ['k1=first', 'k1=third', 'k2=second:with:colons']);
    assert.equal(text.stderr, 'Processed a total of 3 messages\n');
  });

  it('consume stops after --timeout-ms without records, and reads only the partitions asked for', async () => {
    await samsaOk(['topics', 'create', '--topic', 'cli-idle', '--partitions', '2', ...bs]);
    await samsaOk(['produce', '--topic', 'cli-idle', '--partition', '1', ...bs], { input: 'a\nb\n' });
    const r = await samsaOk(['consume', '--topic', 'cli-idle', '--partition', '0', '--from-beginning', '--timeout-ms', '300', ...bs]);
    assert.equal(r.stdout, '');
    const one = await samsaOk(['consume', '--topic', 'cli-idle', '--partition', '1', '--from-beginning', '--timeout-ms', '500', ...bs]);
    assert.equal(one.stdout, 'a\nb\n');
  });

  it('a line without the key separator fails with its line number', async () => {
    await samsaOk(['topics', 'create', '--topic', 'cli-bad-lines', '--partitions', '1', ...bs]);
    const r = await samsa(['produce', '--topic', 'cli-bad-lines', '--key-separator', '|', ...bs], { input: 'a|1\nno separator\n' });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: line 2 has no key separator "|"\n');
  });

  it('reads the address from SAMSA_BOOTSTRAP_SERVER', async () => {
    const r = await samsaOk(['topics', 'list', '--format', 'json'], { env: { SAMSA_BOOTSTRAP_SERVER: broker.bootstrap } });
    assert.ok(Array.isArray(JSON.parse(r.stdout).topics));
  });
});

describe('samsa failures', () => {
  it('an unreachable broker: one error line naming the address tried, exit 1', async () => {
    const r = await samsa(['topics', 'list', '--bootstrap-server', '127.0.0.1:1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: cannot reach the cluster at 127\.0\.0\.1:1: .*ECONNREFUSED.*\n$/);
    assert.equal(r.stdout, '');
  });

  it('the default address is localhost:9092', async () => {
    const r = await samsa(['groups', 'list', '--request-timeout-ms', '1000'], { env: { SAMSA_BOOTSTRAP_SERVER: '' } });
    // Either nothing listens there (the usual case on a test machine) or something answers.
    if (r.code !== 0) assert.match(r.stderr, /localhost:9092/);
  });

  it('invalid arguments: the error, the usage line, exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['groups', 'describe'], /error: give either --group or --all-groups/],
      [['groups', 'describe', '--group', 'g', '--members', '--state'], /error: --offsets, --members and --state cannot be combined/],
      [['groups', 'reset-offsets', '--group', 'g', '--topic', 't'], /error: give exactly one of --to-earliest/],
      [['groups', 'reset-offsets', '--group', 'g', '--to-latest'], /error: give either --topic or --all-topics/],
      [['groups', 'reset-offsets', '--group', 'g', '--all-topics', '--by-duration', '30m'], /is not an ISO-8601 duration/],
      [['lag', '--group', 'g', '--interval-ms', 'soon'], /argument 'soon' is invalid/],
      [['topics', 'create'], /error: required option '--topic <topic>' not specified/],
      [['topics', 'list', '--format', 'yaml'], /argument 'yaml' is invalid/],
      [['topics', 'list', '--bootstrap-server', 'nohostport'], /error: bootstrapServers: "nohostport" is not host:port/],
    ];
    await Promise.all(cases.map(async ([args, pattern]) => {
      const r = await samsa(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.match(r.stderr, /Usage: samsa /);
      assert.equal(r.stdout, '');
    }));
  });
});
