import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { BUSY_COMMIT_DELAY_MS, ContinuousCommitter } from './continuous-commit.js';

/** A host whose commits complete when the test says so. */
function host(caughtUp: () => boolean) {
  const commits: Array<() => void> = [];
  const committer = new ContinuousCommitter({
    running: () => true,
    canCommit: () => true,
    caughtUp,
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
});
