/**
 * `samsa lab` through the real binary: a scenario against its own embedded broker (output, JSON,
 * the HTML report), `lab simulate` (its options are its own, not lab's), and refused input.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { samsa } from './helpers.js';

describe('samsa lab', () => {
  it('runs five-on-four with its own broker: the summary, the idle member, and an HTML report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-lab-'));
    try {
      const report = join(dir, 'report.html');
      const r = await samsa(['lab', 'five-on-four', '--short', '--rate', '500', '--report', report], { timeoutMs: 90_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^# samsa lab five-on-four: Five consumers on four partitions/);
      assert.match(r.stdout, /^idle members\s+m\d$/m);
      assert.match(r.stdout, /^lost \(never processed\)\s+0$/m);
      assert.match(r.stdout, /nothing \(idle\)/);
      // Progress goes to stderr as it happens.
      assert.match(r.stderr, /producer starts at 500 records\/s over 4 partitions/);
      const html = readFileSync(report, 'utf8');
      assert.match(html, /^<!doctype html>/);
      assert.match(html, /<svg /);
      assert.match(html, /who consumed each partition/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lab simulate takes its own options and answers in JSON', async () => {
    const r = await samsa(['lab', 'simulate', '--members', '4', '--partitions', '8', '--deploys-per-day', '24', '--duration', '1h', '--session-timeout', '10s', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { input: { members: number; partitions: number; heartbeatIntervalMs: number }; prediction: { rebalances: number; reasons: Record<string, number>; failure: string | null } };
    assert.equal(out.input.members, 4);
    assert.equal(out.input.partitions, 8);
    assert.equal(out.input.heartbeatIntervalMs, 1000);
    assert.equal(out.prediction.failure, null);
    // One deploy in the hour: each of 4 dynamic members leaves and joins.
    assert.equal(out.prediction.rebalances, 8);
    assert.deepEqual(out.prediction.reasons, { 'member-left': 4, 'member-joined': 4 });
  });

  it('lab simulate --scenario predicts the lab scenario, skipping what it cannot model', async () => {
    const r = await samsa(['lab', 'simulate', '--scenario', 'cooperative', '--short']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^# cooperative: eager \(range\)\nsimulated .*\nrebalances\s+1$/m);
    assert.match(r.stderr, /cooperative-sticky: not simulated/);
  });

  it('refuses an unknown scenario and a bad duration with a usage error', async () => {
    const unknown = await samsa(['lab', 'stampede']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown scenario "stampede": one of scale-out, crash/);
    const duration = await samsa(['lab', 'crash', '--session-timeout', 'soon']);
    assert.equal(duration.code, 2);
    assert.match(duration.stderr, /"soon" is not a duration/);
    const handler = await samsa(['lab', 'simulate', '--handler-median', '5s']);
    assert.equal(handler.code, 2);
    assert.match(handler.stderr, /give both --handler-median and --handler-p99/);
  });
});
