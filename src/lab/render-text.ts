import type { LabScenario } from './scenarios.js';
import type { LabRunResult } from './types.js';

/** The lab's report for a terminal: the numbers side by side, then per partition, per member, and the timeline. */

export function ms(v: number): string {
  if (Number.isNaN(v)) return '-';
  return v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
}

function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

/** The headline numbers of each run, one column per variant. */
export function summaryRows(results: readonly LabRunResult[]): string[][] {
  const row = (label: string, f: (r: LabRunResult) => string): string[] => [label, ...results.map(f)];
  return [
    ['', ...results.map((r) => r.variant)],
    row('records produced', (r) => String(r.produced)),
    row('records processed', (r) => String(r.processed)),
    row('duplicates (processed again)', (r) => String(r.duplicates)),
    row('lost (never processed)', (r) => String(r.lost)),
    row('rebalances (clients saw)', (r) => String(r.rebalances)),
    row('rebalances (broker timeline)', (r) => (r.brokerRebalances === null ? '-' : String(r.brokerRebalances))),
    row('longest partition pause', (r) => ms(r.maxPartitionPauseMs)),
    row('  median over partitions', (r) => ms(r.medianPartitionPauseMs)),
    row('  on partitions that kept their member', (r) => ms(r.stayingPauseMs)),
    row('  median of those', (r) => ms(r.stayingMedianPauseMs)),
    row('  on partitions that moved', (r) => ms(r.movedPauseMs)),
    row('  steady gap before (for scale)', (r) => ms(r.steadyGapMs)),
    row('lag peak (records)', (r) => String(r.lagPeak)),
    row('time to recover', (r) => (Number.isNaN(r.recoverMs) ? 'not within the run' : r.recoverMs === 0 ? 'no backlog' : ms(r.recoverMs))),
    row('idle members', (r) => (r.idleMembers.length === 0 ? '-' : r.idleMembers.join(','))),
    row('evicted while alive', (r) => evicted(r)),
    row('new partitions consumed', (r) => (r.partitions.length > r.knobs.partitions ? `${r.newPartitionsConsumed} of ${r.partitions.length - r.knobs.partitions}` : '-')),
  ];
}

function evicted(r: LabRunResult): string {
  const list = r.members.filter((m) => m.evictions > 0).map((m) => `${m.name}${m.pollTimeouts > 0 ? ' (max.poll.interval)' : ''}`);
  return list.length === 0 ? '-' : list.join(',');
}

export function renderRun(r: LabRunResult): string {
  const k = r.knobs;
  const disturbed = r.events.some((e) => e.disturbance === true);
  const out: string[] = [];
  out.push(`## ${r.variant}`);
  out.push(`${k.strategy}, commit ${k.commit === 'auto' ? `auto every ${k.autoCommitIntervalMs / 1000} s` : 'on revoke (and auto)'}, session ${k.sessionTimeoutMs / 1000} s, heartbeat ${k.heartbeatIntervalMs} ms, max.poll.interval ${k.maxPollIntervalMs / 1000} s, ${k.staticMembers ? 'static' : 'dynamic'} members, ${k.ratePerSecond} records/s`);
  out.push('');
  out.push(columns([
    ['partition', 'records', 'longest pause', 'members (in order)', 'kept its member'],
    ...r.partitions.map((p) => [String(p.partition), String(p.handled), ms(p.pauseMs), p.owners.join(' -> ') || '-', p.partition >= k.partitions ? 'new' : !disturbed ? '-' : p.staying ? 'yes' : 'no']),
  ]));
  out.push(columns([
    ['member', 'records', 'longest pause', 'owns at the end', 'evicted', 'ended'],
    ...r.members.map((m) => [m.name, String(m.records), Number.isNaN(m.pauseMs) ? 'never consumed' : ms(m.pauseMs), m.exit === 'running' ? (m.finalPartitions.length === 0 ? 'nothing (idle)' : m.finalPartitions.join(',')) : '-', m.evictions === 0 ? '-' : `${m.evictions}x${m.pollTimeouts > 0 ? ' max.poll.interval' : ''}`, m.exit]),
  ]));
  out.push('timeline (s from the producer\'s start):');
  for (const e of r.events) out.push(`  ${(e.atMs / 1000).toFixed(2).padStart(7)}  ${e.source.padEnd(6)} ${e.member !== undefined && e.source !== 'lab' ? `${e.member}: ` : ''}${e.text}`);
  return out.join('\n') + '\n';
}

export function renderScenario(s: LabScenario, results: readonly LabRunResult[]): string {
  const parts = [`# samsa lab ${s.name}: ${s.title}`, '', wrap(s.lesson, 100), '', columns(summaryRows(results))];
  for (const r of results) parts.push(renderRun(r));
  return parts.join('\n');
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length + word.length + 1 > width && line !== '') {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}
