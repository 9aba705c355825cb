import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluatePartition, groupStatus, SampleWindows, type LagSample } from './health.js';

/** Samples one second apart from (offset, lag) pairs; owned unless said otherwise. */
function samples(pairs: Array<[number | null, number | null]>, owned = true): LagSample[] {
  return pairs.map(([offset, lag], i) => ({ atMs: 1_000 + i * 1_000, offset, lag, owned }));
}

describe('evaluatePartition (Burrow rules over polled samples)', () => {
  it('is OK when the lag is zero now or was zero at any point of the window (rule 1)', () => {
    assert.deepEqual(evaluatePartition(samples([[10, 5], [10, 5], [10, 0]]), 3), { status: 'OK', complete: 1 });
    // Stood still with lag, but caught up at the start of the window: an idle consumer on a quiet topic.
    assert.equal(evaluatePartition(samples([[10, 0], [10, 3], [10, 3]]), 3).status, 'OK');
  });

  it('is REWIND when a committed offset goes backwards (rule 2)', () => {
    assert.equal(evaluatePartition(samples([[100, 5], [120, 4], [90, 40]]), 3).status, 'REWIND');
  });

  it('is STOP when the offset stands still with lag and no member owns the partition (rule 3)', () => {
    assert.equal(evaluatePartition(samples([[50, 10], [50, 20], [50, 30], [50, 40]], false), 4).status, 'STOP');
  });

  it('is STALL when the offset stands still with lag while a live member owns the partition (rule 4)', () => {
    assert.equal(evaluatePartition(samples([[50, 10], [50, 20], [50, 30], [50, 40]], true), 4).status, 'STALL');
  });

  it('applies the STOP time rule to the last move: still for longer than it was seen moving', () => {
    // Moved until the 3rd sample (2 s of movement), then still for 3 s: stopped.
    assert.equal(evaluatePartition(samples([[10, 9], [20, 9], [30, 9], [30, 10], [30, 11], [30, 12]], false), 6).status, 'STOP');
    // Moved until the 4th sample (3 s), still for 2 s: not yet; the lag never went down, so WARN.
    assert.equal(evaluatePartition(samples([[10, 9], [20, 9], [30, 9], [40, 9], [40, 10], [40, 11]], false), 6).status, 'WARN');
  });

  it('is WARN when offsets advance but the lag never decreases (rule 5)', () => {
    assert.equal(evaluatePartition(samples([[10, 5], [20, 5], [30, 6], [40, 8]]), 4).status, 'WARN');
  });

  it('is OK when offsets advance and the lag goes down somewhere', () => {
    assert.equal(evaluatePartition(samples([[10, 5], [20, 7], [30, 4], [40, 6]]), 4).status, 'OK');
  });

  it('reports a window still filling as OK with its completeness, as Burrow does', () => {
    assert.deepEqual(evaluatePartition(samples([[50, 10], [50, 20]], false), 4), { status: 'OK', complete: 0.5 });
    assert.deepEqual(evaluatePartition(samples([[50, 10]], false), 1), { status: 'OK', complete: 1 });
  });

  it('has no verdict for a partition the group never committed, and skips samples without a commit', () => {
    assert.deepEqual(evaluatePartition(samples([[null, null], [null, null]]), 2), { status: null, complete: 0 });
    assert.equal(evaluatePartition(samples([[null, null], [50, 10], [50, 20], [50, 30]], false), 3).status, 'STOP');
  });

  it('looks only at the last windowSize samples', () => {
    // The early zero lag has slid out of a 3-sample window.
    assert.equal(evaluatePartition(samples([[50, 0], [50, 10], [50, 20], [50, 30]], false), 3).status, 'STOP');
  });
});

describe('groupStatus', () => {
  it('takes the worst partition; STOP, STALL and REWIND roll up to ERR', () => {
    assert.equal(groupStatus([]), 'OK');
    assert.equal(groupStatus(['OK', null, 'OK']), 'OK');
    assert.equal(groupStatus(['OK', 'WARN']), 'WARN');
    for (const s of ['STOP', 'STALL', 'REWIND'] as const) assert.equal(groupStatus(['WARN', s, 'OK']), 'ERR');
  });
});

describe('SampleWindows', () => {
  it('keeps the last windowSize samples per partition and forgets partitions no longer reported', () => {
    const w = new SampleWindows(2);
    for (const s of samples([[1, 1], [2, 1], [3, 1]])) w.add('t:0', s);
    w.add('t:1', samples([[5, 0]])[0]!);
    assert.deepEqual(w.get('t:0').map((s) => s.offset), [2, 3]);
    w.retain(new Set(['t:0']));
    assert.deepEqual(w.get('t:1'), []);
    assert.throws(() => new SampleWindows(0), RangeError);
  });
});
