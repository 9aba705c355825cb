import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Reads V8 .cpuprofile files (from `node --cpu-prof`) and lists the functions with the most
 * self time, so the bottleneck has names.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  selfMs: number;
  share: number;
}

export function topSelfTime(file: string, limit: number, root: string): { totalMs: number; top: SelfTime[] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]!)!;
    const dt = p.timeDeltas[i] ?? 0;
    const f = n.callFrame;
    const where = f.url === '' ? '' : ` ${shorten(f.url, root)}:${f.lineNumber + 1}`;
    const key = `${f.functionName || '(anonymous)'}${where}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
    totalUs += dt;
  }
  const idle = (selfUs.get('(idle)') ?? 0);
  const busyUs = totalUs - idle;
  const top = [...selfUs]
    .filter(([k]) => k !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, us]) => ({ name, selfMs: us / 1000, share: us / busyUs }));
  return { totalMs: busyUs / 1000, top };
}

function shorten(url: string, root: string): string {
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  return path.startsWith(root) ? relative(root, path) : path;
}

export function profileFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
}
