import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultIntervalMs, parseDurationMs, renderDoctorReport } from './doctor.js';
import { createStyle } from './output/style.js';
import { diagnose } from '../observe/doctor/index.js';

describe('samsa doctor arguments and output', () => {
  it('reads durations with a unit (ms, s, m, h) or plain milliseconds', () => {
    assert.equal(parseDurationMs('60s'), 60_000);
    assert.equal(parseDurationMs('1.5m'), 90_000);
    assert.equal(parseDurationMs('250ms'), 250);
    assert.equal(parseDurationMs('2h'), 7_200_000);
    assert.equal(parseDurationMs('1500'), 1500);
    assert.throws(() => parseDurationMs('soon'), /not a duration/);
    assert.throws(() => parseDurationMs('0s'), /positive/);
  });

  it('samples about 30 times a window, every 200 ms to 1 s', () => {
    assert.equal(defaultIntervalMs(60_000), 1000);
    assert.equal(defaultIntervalMs(3000), 200);
    assert.equal(defaultIntervalMs(15_000), 500);
  });

  it('prints the summary line and each finding with its evidence and fixes', () => {
    const report = diagnose({
      groupId: 'g', nowMs: 12_000, sampleIntervalMs: 1000, timeline: null, topics: {}, endFacts: [], notes: [],
      samples: [0, 1, 2].map((i) => ({
        atMs: 10_000 + i * 1000, state: 'Empty', protocol: null, members: [],
        partitions: [{ topic: 't', partition: 0, logStartOffset: 0, logEndOffset: 50, committedOffset: 20, owner: null }],
      })),
    });
    const text = renderDoctorReport(report, createStyle(false));
    assert.match(text, /^GROUP\s+STATUS\s+STATE/);
    assert.match(text, /g\s+critical\s+Empty\s+0\s+1\s+0\/s\s+0\/s\s+30 -> 30/);
    assert.match(text, /1\. CRITICAL no-owner: the group has no members: 30 records wait on 1 partition\n {3}evidence: members=0 {2}state=Empty {2}unownedPartitions=1 {2}recordsWaiting=30/);
    assert.match(text, /\n {3}fix: start the group's consumers/);
  });
});
