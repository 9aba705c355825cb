#!/usr/bin/env node
// `npm run build`: compiles into an empty output folder (so tests of removed files do not linger),
// bundles the `samsa` command into <outDir>/cli and makes that bin executable. tsc writes every
// file without an executable bit, so without the chmod `npx samsa start` fails with "Permission
// denied" after each build.
//
// Why a bundle: `samsa start` loaded some 280 compiled modules before it listened, and resolving,
// reading and linking them was most of its start-up (about 370 ms against 110 ms for a bare
// `node`). Bundled, it loads a handful of files. Commands other than the one run stay in chunks
// of their own (esbuild splitting keeps the lazy imports of src/cli/program.ts lazy), and npm
// packages stay external. The library entry points (samsa/broker, samsa/client, ...) are the
// compiled modules under <outDir>/src, unbundled.
// Usage: node scripts/build.mjs [outDir]   (default dist; tests build into a temporary folder)
import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(process.argv[2] ?? join(root, 'dist'));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

rmSync(outDir, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json'), '--outDir', outDir], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
await build({
  entryPoints: [
    join(outDir, 'src', 'cli', 'main.js'),
    // Forked by `samsa lab` from the chunk that runs it: it must sit beside that chunk.
    join(outDir, 'src', 'lab', 'consumer-process.js'),
  ],
  outdir: join(outDir, 'cli'),
  entryNames: '[name]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
// The bin named in package.json: "samsa": "dist/cli/main.js".
chmodSync(join(outDir, 'cli', 'main.js'), 0o755);
