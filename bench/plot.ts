/**
 * A hand-written SVG line chart (no plotting dependency): consumed records/s over time, one
 * line per system, one panel per workload, with the moments the group changed marked.
 */

export interface PlotLine {
  label: string;
  /** Records/s per bucket. */
  values: number[];
}

export interface PlotPanel {
  title: string;
  bucketMs: number;
  lines: PlotLine[];
  /** Vertical markers, ms from the start. */
  markers: Array<{ atMs: number; label: string }>;
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];
const W = 980;
const PANEL_H = 320;
const M = { left: 70, right: 260, top: 36, bottom: 40 };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

function panel(p: PlotPanel, top: number): string {
  const plotW = W - M.left - M.right;
  const plotH = PANEL_H - M.top - M.bottom;
  const n = Math.max(1, ...p.lines.map((l) => l.values.length));
  const maxY = Math.max(1, ...p.lines.flatMap((l) => l.values)) * 1.08;
  const maxX = (n * p.bucketMs) / 1000;
  const x = (sec: number) => M.left + (sec / maxX) * plotW;
  const y = (v: number) => top + M.top + plotH - (v / maxY) * plotH;
  const out: string[] = [];
  out.push(`<text x="${M.left}" y="${top + 22}" font-size="15" font-weight="bold">${esc(p.title)}</text>`);
  const yStep = niceStep(maxY, 5);
  for (let v = 0; v <= maxY; v += yStep) {
    out.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${M.left - 6}" y="${(y(v) + 4).toFixed(1)}" font-size="11" text-anchor="end">${Math.round(v).toLocaleString('en-US')}</text>`);
  }
  const xStep = niceStep(maxX, 10);
  for (let s = 0; s <= maxX; s += xStep) {
    out.push(`<text x="${x(s).toFixed(1)}" y="${top + M.top + plotH + 16}" font-size="11" text-anchor="middle">${s}</text>`);
  }
  out.push(`<text x="${M.left + plotW / 2}" y="${top + PANEL_H - 6}" font-size="12" text-anchor="middle">seconds since the producer started</text>`);
  out.push(`<text x="16" y="${top + M.top + plotH / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 16 ${top + M.top + plotH / 2})">records/s consumed</text>`);
  out.push(`<rect x="${M.left}" y="${top + M.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  p.markers.forEach((mk, i) => {
    const mx = x(mk.atMs / 1000).toFixed(1);
    out.push(`<line x1="${mx}" x2="${mx}" y1="${top + M.top}" y2="${top + M.top + plotH}" stroke="#555" stroke-dasharray="4 3"/>`);
    // Staggered so markers at the same moment stay readable.
    out.push(`<text x="${Number(mx) + 3}" y="${top + M.top + 12 + i * 13}" font-size="11" fill="#555">${esc(mk.label)}</text>`);
  });
  p.lines.forEach((l, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = l.values.map((v, j) => `${x(((j + 0.5) * p.bucketMs) / 1000).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.6" points="${pts}"/>`);
    const ly = top + M.top + 10 + i * 18;
    out.push(`<line x1="${W - M.right + 12}" x2="${W - M.right + 34}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="3"/>`);
    out.push(`<text x="${W - M.right + 40}" y="${ly + 4}" font-size="12">${esc(l.label)}</text>`);
  });
  return out.join('\n');
}

export function renderSvg(title: string, panels: PlotPanel[]): string {
  const h = 40 + panels.length * PANEL_H;
  const body = panels.map((p, i) => panel(p, 40 + i * PANEL_H)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${M.left}" y="24" font-size="16">${esc(title)}</text>
${body}
</svg>
`;
}
