#!/usr/bin/env node
// `npm run build`: compiles into an empty output folder (so tests of removed files do not linger)
// and makes the `samsa` bin executable. tsc writes every file without an executable bit, so
// without the chmod `npx samsa start` fails with "Permission denied" after each build.
// Usage: node scripts/build.mjs [outDir]   (default dist; tests build into a temporary folder)
import { chmodSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(process.argv[2] ?? join(root, 'dist'));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

rmSync(outDir, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json'), '--outDir', outDir], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
// The bin named in package.json: "samsa": "dist/src/cli/main.js".
chmodSync(join(outDir, 'src', 'cli', 'main.js'), 0o755);
