#!/usr/bin/env node
// Copies the dashboard's static files next to the compiled server (dist/src/observe/web) and next
// to the bundled `samsa` command (dist/cli/web: the server looks for ./web beside its own module),
// with uPlot taken from its npm package: the dashboard works offline, nothing comes from a CDN.
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const from = 'src/observe/web';
const uplot = dirname(createRequire(import.meta.url).resolve('uplot/package.json'));
for (const to of ['dist/src/observe/web', 'dist/cli/web']) {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) copyFileSync(join(from, name), join(to, name));
  for (const name of ['uPlot.iife.min.js', 'uPlot.min.css']) copyFileSync(join(uplot, 'dist', name), join(to, name));
}
const to = 'dist/src/observe/web';
const total = readdirSync(to).reduce((n, f) => n + statSync(join(to, f)).size, 0);
console.log(`dashboard assets: ${readdirSync(to).length} files, ${(total / 1024).toFixed(0)} KiB`);
