#!/usr/bin/env node
// Enforces the layering of src/ (see the design guide): which folder may import which, and that
// the pure cores do no I/O and never read the clock or set timers. Exits 1 with one line per breach.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SRC = resolve('src');

/** folder -> folders under src it may import (itself is always allowed). */
const ALLOWED = {
  common: [],
  protocol: ['common'],
  assignors: ['common', 'protocol'], // narrowed by ONLY_FILES below
  storage: ['common', 'protocol'],
  coordinator: ['common', 'protocol', 'assignors'],
  broker: ['common', 'protocol', 'assignors', 'storage', 'coordinator'],
  client: ['common', 'protocol', 'assignors'],
  sim: ['common', 'protocol', 'assignors', 'coordinator', 'client/group'],
  cli: ['common', 'protocol', 'client', 'broker', 'observe', 'lab'],
  dashboard: ['common', 'protocol', 'client'],
  // Metrics, dashboard and timeline for any cluster through the client; a Samsa broker in the
  // same process only through its public entry point (events, the rebalance history).
  observe: ['common', 'protocol', 'client', 'broker'],
  lab: ['common', 'protocol', 'client', 'broker', 'sim'],
  // The test kit for users' tests: an embedded broker through its public entry point (the fault seam).
  testing: ['common', 'protocol', 'client', 'broker'],
};

/**
 * Where a folder may use only some files of another: assignors work on plain data and may not see
 * wire message types; they only need the byte cursor and the sticky assignors' userData layouts.
 */
const ONLY_FILES = {
  'assignors->protocol': ['reader.ts', 'writer.ts', 'protocol-error.ts', 'sticky-user-data.ts'],
  'observe->broker': ['index.ts'],
  'testing->broker': ['index.ts'],
};

/** Pure cores: no sockets, files, processes or timers, and no clock reads. */
const PURE = ['common', 'protocol', 'assignors', 'coordinator', 'client/group'];
const FORBIDDEN_MODULES = /^node:(net|fs|fs\/promises|dgram|http|https|child_process|timers|timers\/promises|worker_threads)$/;
const FORBIDDEN_CALLS = /\b(Date\.now\(|performance\.now\(|setTimeout\(|setInterval\(|setImmediate\()/;

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function areaOf(file) {
  const rel = relative(SRC, file).split(sep);
  if (rel.length === 1) return null; // src/index.ts may import anything
  if (rel[0] === 'client' && rel[1] === 'group') return 'client/group';
  return rel[0];
}

function allowed(from, to) {
  if (from === to) return true;
  if (from === 'client/group' || from === 'client') {
    if (to === 'client/group' || to === 'client') return from === 'client' || to === 'client/group';
  }
  const list = ALLOWED[from === 'client/group' ? 'client' : from] ?? [];
  return list.includes(to) || (to === 'client/group' && list.includes('client'));
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const problems = [];
for (const file of walk(SRC)) {
  const from = areaOf(file);
  if (from === null) continue;
  const text = readFileSync(file, 'utf8');
  const isTest = file.endsWith('.test.ts');
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(SRC + sep)) continue;
      const to = areaOf(target);
      if (to !== null && !allowed(from, to) && !isTest) problems.push(`${relative('.', file)}: ${from} must not import ${to} (${spec})`);
      const only = ONLY_FILES[`${from}->${to}`];
      const targetFile = target.replace(/\.js$/, '.ts').split(sep).pop();
      if (only !== undefined && !isTest && !only.includes(targetFile)) {
        problems.push(`${relative('.', file)}: ${from} may import only ${only.join(', ')} from ${to} (${spec})`);
      }
    } else if (PURE.includes(from) && FORBIDDEN_MODULES.test(spec) && !isTest) {
      problems.push(`${relative('.', file)}: pure core ${from} must not import ${spec}`);
    }
  }
  if (PURE.includes(from) && !isTest && !file.endsWith(`${sep}clock.ts`)) {
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const hit = code.match(FORBIDDEN_CALLS);
    if (hit) problems.push(`${relative('.', file)}: pure core ${from} must not call ${hit[1]} (time comes in as nowMs)`);
  }
}
if (problems.length > 0) {
  console.error(`layering check failed:\n${problems.join('\n')}`);
  process.exit(1);
}
console.log('layering check: ok');
