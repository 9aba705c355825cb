import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { BUSY_COMMIT_DELAY_MS, ContinuousCommitter, SPACED_ABOVE_RECORDS, SPACED_COMMIT_INTERVAL_MS } from './continuous-commit.js';

/** A host whose commits complete when the test says so; its clock is the mocked timers' Date. */
function host(caughtUp: () => boolean, lagging: () => boolean = () => false, uncommittedRecords: () => number = () => 1) {
  const commits: Array<() => void> = [];
  const committer = new ContinuousCommitter({
    running: () => true,
    canCommit: () => true,
    caughtUp,
    lagging,
    uncommittedRecords,
    nowMs: () => Date.now(),
    commitProcessed: () => new Promise<boolean>((resolve) => commits.push(() => resolve(true))),
    retryDelayMs: () => 100,
    onError: () => undefined,
  });
  return { committer, commits };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ContinuousCommitter', () => {
  it('commits once the consumer catches up, however many records it processed before', () => {
    const { committer, commits } = host(() => true);
    for (let i = 0; i < 500; i++) committer.processed();
    assert.equal(commits.length, 0, 'nothing while the fetched records are being handled');
    committer.caughtUp();
    assert.equal(commits.length, 1);
    committer.stop();
  });

  it('a busy consumer commits what it processed after BUSY_COMMIT_DELAY_MS, one commit in flight', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const { committer, commits } = host(() => false);
      committer.processed();
      mock.timers.tick(BUSY_COMMIT_DELAY_MS - 1);
      assert.equal(commits.length, 0);
      mock.timers.tick(1);
      assert.equal(commits.length, 1);
      for (let i = 0; i < 100; i++) committer.processed();
      mock.timers.tick(BUSY_COMMIT_DELAY_MS * 10);
      assert.equal(commits.length, 1, 'the next waits for the first to complete');
      commits[0]!();
      await settle();
      mock.timers.tick(BUSY_COMMIT_DELAY_MS);
      assert.equal(commits.length, 2, 'then covers what was processed meanwhile');
      committer.stop();
    } finally {
      mock.timers.reset();
    }
  });

  it('when a commit completes and the consumer has caught up, what was processed meanwhile goes out at once', async () => {
    let idle = false;
    const { committer, commits } = host(() => idle);
    committer.processed();
    committer.caughtUp();
    assert.equal(commits.length, 1);
    committer.processed();
    committer.caughtUp();
    assert.equal(commits.length, 1, 'one in flight');
    idle = true;
    commits[0]!();
    await settle();
    assert.equal(commits.length, 2);
    commits[1]!();
    await settle();
    assert.equal(commits.length, 2, 'nothing processed since: nothing to commit');
    committer.stop();
  });

  let lagging = false;
  let uncommitted = 1;

  /** Fetches handled every 20 ms while commits are spaced: one commit per interval, then at once when not. */
  async function spacedCommits(setSpaced: (on: boolean) => void): Promise<void> {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
    try {
      setSpaced(true);
      const { committer, commits } = host(() => true, () => lagging, () => uncommitted);
      committer.processed();
      committer.caughtUp();
      assert.equal(commits.length, 1, 'the first commit goes out at once');
      commits[0]!();
      await settle();
      for (let t = 20; t < SPACED_COMMIT_INTERVAL_MS; t += 20) {
        mock.timers.tick(20);
        committer.processed();
        committer.caughtUp();
      }
      assert.equal(commits.length, 1, 'fetches within the interval are not committed one by one');
      mock.timers.tick(SPACED_COMMIT_INTERVAL_MS - 80 - 1);
      assert.equal(commits.length, 1);
      mock.timers.tick(1);
      assert.equal(commits.length, 2, 'what they processed goes out when the interval is over');
      commits[1]!();
      await settle();
      setSpaced(false);
      mock.timers.tick(5);
      committer.processed();
      committer.caughtUp();
      assert.equal(commits.length, 3, 'back to one commit per fetch at once');
      committer.stop();
    } finally {
      mock.timers.reset();
    }
  }

  it('a consumer draining a backlog commits at most every SPACED_COMMIT_INTERVAL_MS, and at once when it has caught up with the broker', async () => {
    uncommitted = 1;
    await spacedCommits((on) => (lagging = on));
  });

  it('a consumer with more than SPACED_ABOVE_RECORDS records waiting for their commit commits at most every SPACED_COMMIT_INTERVAL_MS', async () => {
    lagging = false;
    await spacedCommits((on) => (uncommitted = on ? SPACED_ABOVE_RECORDS + 1 : SPACED_ABOVE_RECORDS));
  });
});
