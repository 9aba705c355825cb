import type { ConsumerGroup, ResolvedRegex } from './group.js';
import type { ConsumerGroupMember } from './member.js';
import type { SubscribedTopicMetadata } from './records.js';
import { compileTopicRegex } from './regex.js';
import type { TopicsImage } from './topics.js';

/** Regex resolutions as they will be after this call: changed ones, and null for removed ones. */
export type RegexOverrides = ReadonlyMap<string, ResolvedRegex | null>;

export function resolvedRegex(group: ConsumerGroup, overrides: RegexOverrides, regex: string): ResolvedRegex | undefined {
  if (overrides.has(regex)) return overrides.get(regex) ?? undefined;
  return group.resolvedRegexes.get(regex);
}

/** The topic names a member subscribes to: its names plus what its regex matched. */
export function effectiveTopicNames(member: ConsumerGroupMember, group: ConsumerGroup, overrides: RegexOverrides = new Map()): Set<string> {
  const names = new Set(member.subscribedTopicNames);
  if (member.subscribedTopicRegex !== null) for (const t of resolvedRegex(group, overrides, member.subscribedTopicRegex)?.topics ?? []) names.add(t);
  return names;
}

/** Every topic name the group subscribes to, with `oldMember` replaced by `newMember` (null: removed). */
export function groupTopicNames(group: ConsumerGroup, changes: ReadonlyMap<string, ConsumerGroupMember | null>, overrides: RegexOverrides): Set<string> {
  const names = new Set<string>();
  for (const m of group.members.values()) {
    if (changes.has(m.memberId)) continue;
    for (const t of effectiveTopicNames(m, group, overrides)) names.add(t);
  }
  for (const m of changes.values()) if (m !== null) for (const t of effectiveTopicNames(m, group, overrides)) names.add(t);
  return names;
}

/** Metadata of the subscribed topics that exist, by name. */
export function subscribedTopicMetadata(names: Iterable<string>, topics: TopicsImage): Map<string, SubscribedTopicMetadata> {
  const out = new Map<string, SubscribedTopicMetadata>();
  for (const name of [...names].sort()) {
    const t = topics.byName(name);
    if (t !== undefined) out.set(name, { topicId: t.id, name, partitions: t.partitions });
  }
  return out;
}

export function sameMetadata(a: ReadonlyMap<string, SubscribedTopicMetadata>, b: ReadonlyMap<string, SubscribedTopicMetadata>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, t] of a) {
    const o = b.get(name);
    if (o === undefined || o.topicId !== t.topicId || o.partitions !== t.partitions) return false;
  }
  return true;
}

/** The topic names a regex matches now, sorted. The regex was validated when a member brought it. */
export function resolveRegex(regex: string, topics: TopicsImage, nowMs: number): ResolvedRegex {
  const compiled = compileTopicRegex(regex);
  if (!compiled.ok) return { topics: [], resolvedAtMs: nowMs };
  return { topics: topics.all().map((t) => t.name).filter((name) => compiled.regexp.test(name)), resolvedAtMs: nowMs };
}

export function sameTopics(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((t, i) => t === y[i]);
}
