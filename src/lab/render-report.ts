import { ms, summaryRows } from './render-text.js';
import type { LabScenario } from './scenarios.js';
import { LAG_SAMPLE_MS, type LabRunResult } from './types.js';

/**
 * `samsa lab --report file.html`: one self-contained page (inline SVG, no script) with the
 * summary table and, per run, lag and throughput over time and who consumed each partition when,
 * with the lab's actions and the broker's rebalances marked.
 */
export function renderHtmlReport(s: LabScenario, results: readonly LabRunResult[]): string {
  const rows = summaryRows(results);
  const table = `<table><tr>${rows[0]!.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.slice(1).map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th>${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`).join('')}</table>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>samsa lab ${esc(s.name)}</title><style>
body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#f4f4f4}
svg{background:#fff;border:1px solid #ddd;margin:0.5em 0}.ev{font:11px monospace;white-space:pre;color:#444}
</style></head><body><h1>samsa lab ${esc(s.name)}</h1><p><b>${esc(s.title)}.</b> ${esc(s.lesson)}</p>${table}
${results.map(runSection).join('\n')}</body></html>\n`;
}

const WIDTH = 1000;
const LEFT = 60;
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

function runSection(r: LabRunResult): string {
  const endMs = Math.max(r.durationMs, LAG_SAMPLE_MS);
  const x = (t: number) => LEFT + (Math.max(0, t) / endMs) * (WIDTH - LEFT - 10);
  const marks = (height: number) =>
    r.events
      .filter((e) => e.source === 'lab' || e.source === 'broker')
      .map((e) => `<line x1="${x(e.atMs).toFixed(1)}" x2="${x(e.atMs).toFixed(1)}" y1="0" y2="${height}" stroke="${e.source === 'lab' ? '#d62728' : '#999'}" stroke-dasharray="${e.source === 'lab' ? '4 2' : '2 2'}"><title>${esc(`${(e.atMs / 1000).toFixed(2)} s ${e.text}`)}</title></line>`)
      .join('');
  const chart = (series: readonly number[], title: string, colour: string) => {
    const h = 140;
    const max = Math.max(1, ...series);
    const pts = series.map((v, i) => `${x((i + 1) * LAG_SAMPLE_MS).toFixed(1)},${(h - 15 - (v / max) * (h - 30)).toFixed(1)}`).join(' ');
    return `<svg width="${WIDTH}" height="${h}"><text x="4" y="14" font-size="12">${esc(title)} (max ${max})</text>${marks(h)}<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${pts}"/><text x="${LEFT}" y="${h - 2}" font-size="10">0 s</text><text x="${WIDTH - 50}" y="${h - 2}" font-size="10">${(endMs / 1000).toFixed(1)} s</text></svg>`;
  };
  const members = [...new Set(r.ownership.map((o) => o.member))].sort();
  const colourOf = (m: string) => PALETTE[members.indexOf(m) % PALETTE.length]!;
  const rowH = 18;
  const ganttH = r.partitions.length * rowH + 30;
  const bars = r.ownership
    .map((o) => `<rect x="${x(o.fromMs).toFixed(1)}" y="${o.partition * rowH + 4}" width="${Math.max(1, x(o.toMs) - x(o.fromMs)).toFixed(1)}" height="${rowH - 6}" fill="${colourOf(o.member)}"><title>${esc(`partition ${o.partition}: ${o.member} ${(o.fromMs / 1000).toFixed(2)}-${(o.toMs / 1000).toFixed(2)} s`)}</title></rect>`)
    .join('');
  const labels = r.partitions.map((p) => `<text x="4" y="${p.partition * rowH + 15}" font-size="11">p${p.partition}</text>`).join('');
  const legend = members.map((m, i) => `<rect x="${LEFT + i * 90}" y="${ganttH - 14}" width="10" height="10" fill="${colourOf(m)}"/><text x="${LEFT + i * 90 + 14}" y="${ganttH - 5}" font-size="11">${esc(m)}</text>`).join('');
  const gantt = `<svg width="${WIDTH}" height="${ganttH}">${marks(ganttH - 20)}${labels}${bars}${legend}</svg>`;
  const timeline = r.events.map((e) => `${(e.atMs / 1000).toFixed(2).padStart(7)}  ${e.source.padEnd(6)} ${e.member !== undefined && e.source !== 'lab' ? `${e.member}: ` : ''}${e.text}`).join('\n');
  return `<h2>${esc(r.variant)}</h2><p>duplicates ${r.duplicates}, lost ${r.lost}, rebalances ${r.rebalances}, longest partition pause ${esc(ms(r.maxPartitionPauseMs))}, lag peak ${r.lagPeak}</p>
${chart(r.lagSeries, 'lag (records produced, not yet processed)', '#d62728')}
${chart(r.throughputSeries, `records handled per ${LAG_SAMPLE_MS} ms`, '#1f77b4')}
<div>who consumed each partition (red dashes: the lab acted; grey: the broker completed a rebalance)</div>${gantt}
<details><summary>timeline</summary><div class="ev">${esc(timeline)}</div></details>`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
