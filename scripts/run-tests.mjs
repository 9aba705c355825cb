#!/usr/bin/env node
// Runs the compiled test files with node:test. Usage:
//   node scripts/run-tests.mjs              every test
//   node scripts/run-tests.mjs unit         unit tests next to the source (dist/src)
//   node scripts/run-tests.mjs compat sim   tests under dist/test/compat and dist/test/sim
//   node scripts/run-tests.mjs <substring>  test files whose path contains it
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const all = [...walk('dist/src'), ...walk('dist/test')].sort();
const args = process.argv.slice(2);
const selected = args.length === 0
  ? all
  : all.filter((f) => args.some((a) => (a === 'unit' ? f.startsWith('dist/src') : f.includes(a === 'compat' || a === 'integration' || a === 'sim' ? `dist/test/${a}/` : a))));
if (selected.length === 0) {
  console.error(`no test files match ${args.join(' ')}`);
  process.exit(1);
}
const concurrency = process.env.SAMSA_TEST_CONCURRENCY ?? '4';
// A hang must fail the run, not stall CI: no single test may take longer than this.
const testTimeoutMs = process.env.SAMSA_TEST_TIMEOUT_MS ?? '240000';
const result = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, `--test-timeout=${testTimeoutMs}`, '--test-reporter=spec', ...selected], {
  stdio: 'inherit',
  // Every broker the tests start fills buffers it recycles with a poison pattern, so a view kept
  // past its release shows up as a failed CRC in whichever test reads it.
  env: { ...process.env, NODE_ENV: 'test', SAMSA_POISON_RECYCLED_BUFFERS: '1' },
});
process.exit(result.status ?? 1);
