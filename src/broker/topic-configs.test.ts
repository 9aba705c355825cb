import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveBrokerConfig } from './config.js';
import { checkTopicConfig, ConfigSource, describeTopicConfigs, topicMessageMaxBytes } from './topic-configs.js';

describe('topic configs', () => {
  it('checks names, types and allowed values', () => {
    assert.equal(checkTopicConfig('retention.ms', '-1'), null);
    assert.match(checkTopicConfig('retention.ms', '-2') ?? '', /-1 or positive/);
    assert.match(checkTopicConfig('retention.ms', '1.5') ?? '', /integer/);
    assert.match(checkTopicConfig('bogus', '1') ?? '', /unknown topic config/);
    assert.equal(checkTopicConfig('cleanup.policy', 'compact,delete'), null);
    assert.match(checkTopicConfig('cleanup.policy', 'shred') ?? '', /delete/);
    assert.match(checkTopicConfig('message.timestamp.type', 'LogAppendTime') ?? '', /CreateTime/);
    assert.equal(checkTopicConfig('segment.bytes', null), null, 'null removes an override');
  });

  it('reports each value with its source: topic override, broker flag, or Kafka default', () => {
    const config = resolveBrokerConfig({ memory: true, logSegmentBytes: 4096 });
    const described = new Map(describeTopicConfigs(config, { 'retention.ms': '5' }).map((c) => [c.name, c]));
    assert.deepEqual([described.get('retention.ms')!.value, described.get('retention.ms')!.source], ['5', ConfigSource.TOPIC_CONFIG]);
    assert.deepEqual([described.get('segment.bytes')!.value, described.get('segment.bytes')!.source], ['4096', ConfigSource.STATIC_BROKER_CONFIG]);
    assert.deepEqual([described.get('retention.bytes')!.value, described.get('retention.bytes')!.source], ['-1', ConfigSource.DEFAULT_CONFIG]);
    assert.equal(topicMessageMaxBytes(config, {}), 1_048_588);
    assert.equal(topicMessageMaxBytes(config, { 'max.message.bytes': '10' }), 10);
  });
});
