import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { parseDateTime, parseGroupStates, parseIsoDuration, parseKeyValue, parseOffsetsCsv, parseSignedInteger, parseTopicScope } from './args.js';

describe('command-line parsers', () => {
  it('reads --topic as a topic or topic:partitions', () => {
    assert.deepEqual(parseTopicScope('orders'), { topic: 'orders' });
    assert.deepEqual(parseTopicScope('orders:2,0,2'), { topic: 'orders', partitions: [0, 2] });
    assert.throws(() => parseTopicScope('orders:x'), InvalidArgumentError);
    assert.throws(() => parseTopicScope(':1'), InvalidArgumentError);
  });

  it('reads ISO-8601 durations as Java Duration.parse does', () => {
    assert.equal(parseIsoDuration('PT30M'), 30 * 60_000);
    assert.equal(parseIsoDuration('P1DT2H'), 26 * 3_600_000);
    assert.equal(parseIsoDuration('PT0.5S'), 500);
    assert.equal(parseIsoDuration('pt1h1m1s'), 3_661_000);
    for (const bad of ['30M', 'P', 'PT', 'P1H', '-PT1M', 'PT1X']) assert.throws(() => parseIsoDuration(bad), InvalidArgumentError, bad);
  });

  it('reads date-times with and without a zone (local time without one)', () => {
    assert.equal(parseDateTime('2024-05-01T10:00:00.000Z'), Date.UTC(2024, 4, 1, 10));
    assert.equal(parseDateTime('2024-05-01T12:00:00+02:00'), Date.UTC(2024, 4, 1, 10));
    assert.equal(parseDateTime('2024-05-01T12:00:00+0200'), Date.UTC(2024, 4, 1, 10));
    assert.equal(parseDateTime('2024-05-01T10:00:00'), new Date(2024, 4, 1, 10).getTime());
    for (const bad of ['2024-05-01', 'yesterday', '2024-13-01T00:00:00']) assert.throws(() => parseDateTime(bad), InvalidArgumentError, bad);
  });

  it('reads key=value, signed integers and group states', () => {
    assert.deepEqual(parseKeyValue('retention.ms=a=b'), ['retention.ms', 'a=b']);
    assert.throws(() => parseKeyValue('=x'), InvalidArgumentError);
    assert.equal(parseSignedInteger('-5'), -5);
    assert.throws(() => parseSignedInteger('1.5'), InvalidArgumentError);
    assert.deepEqual(parseGroupStates('stable,EMPTY'), ['Stable', 'Empty']);
    assert.throws(() => parseGroupStates('sleeping'), InvalidArgumentError);
  });

  it('reads the offsets CSV kafka-consumer-groups exports, with or without a group column', () => {
    assert.deepEqual(parseOffsetsCsv('# plan\norders,0,5\n\norders,1,7\r\n'), [
      { topic: 'orders', partition: 0, offset: 5 },
      { topic: 'orders', partition: 1, offset: 7 },
    ]);
    assert.deepEqual(parseOffsetsCsv('g1,orders,0,5\n'), [{ group: 'g1', topic: 'orders', partition: 0, offset: 5 }]);
    assert.throws(() => parseOffsetsCsv('orders,0\n'), /line 1/);
    assert.throws(() => parseOffsetsCsv('orders,0,5\norders,x,1\n'), /line 2/);
  });
});
