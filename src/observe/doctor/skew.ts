import { refOf, tpKey, type PartitionSeries } from './series.js';
import type { DoctorInput, DoctorThresholds, Finding, PartitionRef } from './types.js';

/**
 * The share of a topic's production (or lag) above which one partition is "hot": halfway between
 * an even share and everything, so 75% of 2 partitions, 62.5% of 4, 56% of 8.
 */
const pct = (n: number): number => Math.round(n * 1000) / 10;

function productionShare(list: readonly PartitionSeries[], partition: number): number | null {
  const total = list.reduce((n, s) => n + s.produced, 0);
  const p = list.find((s) => s.partition === partition);
  return total === 0 || p === undefined ? null : p.produced / total;
}

/** Share of the records read near a hot partition's end from which one key counts as hot. */
const HOT_KEY_SHARE = 0.2;

export const hotShare = (partitions: number): number => 1 / partitions + 0.5 * (1 - 1 / partitions);

interface Hot {
  topic: string;
  partition: number;
  share: number;
  records: number;
  topicRecords: number;
  partitions: number;
  what: 'production' | 'lag';
}

/**
 * Skew: production or lag concentrated on few partitions of a topic. Production skew is a hot
 * key (the default partitioner sends one key to one partition, so more partitions do not help);
 * lag skew without it is a slow owner or slow records on that partition. The hottest topic is
 * reported, with the most frequent keys near its end when the sampler read them.
 */
export function skew(input: DoctorInput, series: readonly PartitionSeries[], t: DoctorThresholds): Finding | null {
  const byTopic = new Map<string, PartitionSeries[]>();
  for (const s of series) byTopic.set(s.topic, [...(byTopic.get(s.topic) ?? []), s]);
  const hot: Hot[] = [];
  for (const [topic, list] of byTopic) {
    if (list.length < 2) continue;
    const threshold = hotShare(list.length);
    const check = (what: Hot['what'], value: (s: PartitionSeries) => number): void => {
      const total = list.reduce((n, s) => n + value(s), 0);
      if (total < t.skewMinRecords) return;
      const top = list.reduce((a, b) => (value(b) > value(a) ? b : a));
      const share = value(top) / total;
      if (share >= threshold) hot.push({ topic, partition: top.partition, share, records: value(top), topicRecords: total, partitions: list.length, what });
    };
    check('production', (s) => s.produced);
    check('lag', (s) => s.lagEnd ?? 0);
  }
  if (hot.length === 0) return null;
  hot.sort((a, b) => b.records - a.records);
  const main = hot[0]!;
  const production = hot.find((h) => h.what === 'production' && h.topic === main.topic);
  const lag = hot.find((h) => h.what === 'lag' && h.topic === main.topic);
  const keys = input.endFacts.find((f) => f.topic === main.topic && f.partition === (production ?? main).partition)?.recentKeys ?? [];
  const keysRead = keys.reduce((n, k) => n + k.count, 0);
  // A hot key shows as one key taking a fair part of the records read; all-distinct keys mean the producer chose the partition.
  const hotKeys = keys.filter((k) => k.count >= 2 && k.count >= HOT_KEY_SHARE * keysRead);
  const fix: string[] = [];
  if (production !== undefined) {
    const where = tpKey(main.topic, production.partition);
    if (hotKeys.length > 0) {
      fix.push(`a hot key: ${hotKeys.slice(0, 3).map((k) => `"${k.key}" (${k.count} of the last ${keysRead} records)`).join(', ')} on ${where}; key by something with more distinct values, or spread a hot key over several partitions (a suffix) where per-key order allows; more partitions do not split one key`);
    } else if (keys.length > 0) {
      fix.push(`no key dominates the last ${keysRead} records of ${where}: the producer picks the partition itself (an explicit partition, a custom partitioner); let the default partitioner spread keyed records`);
    } else {
      fix.push('a hot key, or a producer that picks the partition itself: choose a record key with more distinct values; more partitions do not split one key');
    }
  }
  if (lag !== undefined && production === undefined) {
    const share = productionShare(byTopic.get(main.topic)!, lag.partition);
    fix.push(`the lag sits on ${tpKey(main.topic, lag.partition)}, which gets ${share === null ? 'an unknown share' : `${pct(share)}%`} of the production: its owner is slower than the others (look at that member: restarts, a slow host), or its records are slower to process`);
  }
  fix.push('with cooperative-sticky or a custom assignor, give the hot partition a consumer of its own');
  const partitions: PartitionRef[] = [...new Map(hot.filter((h) => h.topic === main.topic).map((h) => [h.partition, refOf(h)])).values()].sort((a, b) => a.partition - b.partition);
  return {
    kind: 'skew',
    severity: 'warning',
    title: [
      production === undefined ? null : `${tpKey(main.topic, production.partition)} takes ${pct(production.share)}% of ${main.topic}'s production`,
      lag === undefined ? null : `${tpKey(main.topic, lag.partition)} holds ${pct(lag.share)}% of ${production === undefined ? `${main.topic}'s` : 'its'} lag`,
    ].filter((x) => x !== null).join('; ') + ` (${main.partitions} partitions, even share ${pct(1 / main.partitions)}%)`,
    evidence: {
      topic: main.topic,
      partitionsInTopic: main.partitions,
      evenSharePct: pct(1 / main.partitions),
      hotProductionPartition: production?.partition ?? null,
      productionSharePct: production === undefined ? null : pct(production.share),
      producedRecords: production?.topicRecords ?? null,
      hotLagPartition: lag?.partition ?? null,
      lagSharePct: lag === undefined ? null : pct(lag.share),
      lagRecords: lag?.topicRecords ?? null,
      topKeys: keys.slice(0, 5).map((k) => `${k.key}:${k.count}`),
      hotShareThresholdPct: pct(hotShare(main.partitions)),
    },
    partitions,
    members: [],
    fix,
    impactRecords: lag?.records ?? 0,
  };
}
