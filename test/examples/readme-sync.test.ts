import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

/** The README's "Test your consumer" example is test-your-consumer.test.ts, with the package's import names. */
test('the README example of samsa/testing is the test that runs', () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Test your consumer'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block !== undefined, 'the section has a ts code block');
  const source = readFileSync('test/examples/test-your-consumer.test.ts', 'utf8')
    .replace("'../../src/client/index.js'", "'samsa/client'")
    .replace("'../../src/testing/index.js'", "'samsa/testing'");
  assert.equal(block, source);
});
