import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { makeTempDir, runProgram } from '../helpers/index.js';

/** The repository root: the nearest folder above this file whose package.json is samsa's. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'samsa') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json of samsa not found above the test file');
    dir = up;
  }
}

/**
 * Runs the bin as a shell would (`npx samsa start` ends up exec'ing the file itself, through its
 * `#!/usr/bin/env node` line): no `node` in front, so a missing executable bit fails with EACCES.
 */
function startBinDirectly(bin: string): Promise<{ stop(): Promise<number | null> }> {
  const child = spawn(bin, ['start', '--memory', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString('utf8');
      if (!/samsa broker listening on \S+:\d+/.test(stdout)) return;
      resolve({
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`the bin exited (${code}) before listening; stderr: ${stderr}`)));
  });
}

describe('the samsa bin after a build (npx samsa start failed with "Permission denied")', () => {
  const root = repoRoot();
  let work: { path: string; remove(): Promise<void> };

  before(async () => {
    // A scratch package next to the real one: its own dist, the same package.json and modules.
    work = await makeTempDir('samsa-build-');
    copyFileSync(join(root, 'package.json'), join(work.path, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(work.path, 'node_modules'), 'dir');
  });
  after(() => work.remove());

  it('is executable in the dist that npm test built before running the tests', () => {
    accessSync(join(root, 'dist', 'cli', 'main.js'), constants.X_OK);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    assert.equal(pkg.bin.samsa, 'dist/cli/main.js', 'the bin package.json names is the one checked here');
  });

  it('starts by its own path after a build, and again after building a second time', async () => {
    const outDir = join(work.path, 'dist');
    const bin = join(outDir, 'cli', 'main.js');
    // `npm run build` is `node scripts/build.mjs`; `npm test` runs it too, so either order of
    // "run the tests" and "start the broker" goes through this same build.
    for (let round = 1; round <= 2; round++) {
      await runProgram(process.execPath, [join(root, 'scripts', 'build.mjs'), outDir], { timeoutMs: 180_000 });
      accessSync(bin, constants.X_OK);
      const broker = await startBinDirectly(bin);
      assert.equal(await broker.stop(), 0, `clean exit after build ${round}`);
    }
  });
});
