import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { ApiLatencyHistogram, ApiStats } from './request-stats.js';

describe('request latency histogram from plain numbers', () => {
  it('exposes cumulative buckets, +Inf, sum and count per API in the Prometheus text format, and resets', async () => {
    const registry = new Registry();
    const stats = new Map<string, ApiStats>();
    new ApiLatencyHistogram('t_seconds', 'test', [0.01, 0.1], stats, registry);
    const produce = new ApiStats([0.01, 0.1]);
    stats.set('Produce', produce);
    for (const s of [0.005, 0.01, 0.05, 2]) produce.observe(s);
    const text = await registry.metrics();
    assert.match(text, /^# TYPE t_seconds histogram$/m);
    assert.match(text, /^t_seconds_bucket\{le="0.01",api="Produce"\} 2$/m, 'a value on a bound falls in that bucket');
    assert.match(text, /^t_seconds_bucket\{le="0.1",api="Produce"\} 3$/m);
    assert.match(text, /^t_seconds_bucket\{le="\+Inf",api="Produce"\} 4$/m);
    assert.match(text, /^t_seconds_sum\{api="Produce"\} 2.065$/m);
    assert.match(text, /^t_seconds_count\{api="Produce"\} 4$/m);
    registry.resetMetrics();
    assert.match(await registry.metrics(), /^t_seconds_count\{api="Produce"\} 0$/m);
  });
});
