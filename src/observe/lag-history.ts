import type { ClusterSnapshot } from './snapshot-types.js';

export interface LagPoint {
  readonly atMs: number;
  readonly totalLag: number;
  readonly maxLagSeconds: number | null;
  /** "topic:partition" -> [lag in records, lag in seconds] */
  readonly partitions: Readonly<Record<string, readonly [number | null, number | null]>>;
}

/** The last polls of every group's lag, for the dashboard's charts (a page opened late still has a past). */
export class LagHistory {
  private readonly byGroup = new Map<string, LagPoint[]>();

  constructor(private readonly maxPoints = 360) {}

  add(s: ClusterSnapshot): void {
    const present = new Set<string>();
    for (const g of s.groups) {
      present.add(g.groupId);
      let points = this.byGroup.get(g.groupId);
      if (points === undefined) this.byGroup.set(g.groupId, (points = []));
      const partitions: Record<string, readonly [number | null, number | null]> = {};
      for (const p of g.partitions) partitions[`${p.topic}:${p.partition}`] = [p.lag, p.lagSeconds];
      points.push({ atMs: s.atMs, totalLag: g.totalLag, maxLagSeconds: g.maxLagSeconds, partitions });
      if (points.length > this.maxPoints) points.splice(0, points.length - this.maxPoints);
    }
    for (const g of this.byGroup.keys()) if (!present.has(g)) this.byGroup.delete(g);
  }

  of(groupId: string): readonly LagPoint[] {
    return this.byGroup.get(groupId) ?? [];
  }
}
