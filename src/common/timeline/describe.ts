import type { TimelineCause, TimelineEntry } from './types.js';

/** A cause in a few words, for the terminal and the dashboard. */
export function describeCause(c: TimelineCause): string {
  const who = c.clientId !== undefined && c.clientId !== '' ? `${c.clientId} (${c.memberId ?? '?'})` : (c.memberId ?? '');
  switch (c.kind) {
    case 'member-joined': return `${who} joined`;
    case 'member-left': return `${who} left (LeaveGroup)`;
    case 'session-timeout': return `${who} missed heartbeats: session timeout`;
    case 'max-poll-interval-exceeded': return `${who} did not rejoin in time: max.poll.interval.ms exceeded`;
    case 'rebalance-timeout': return `${who} did not revoke its partitions within its rebalance timeout: fenced`;
    case 'sync-timeout': return `${who} never sent SyncGroup`;
    case 'new-member-timeout': return `${who} never completed its first join`;
    case 'group-max-size': return `${who} removed: group.max.size reached`;
    case 'static-replacement': return `static member ${c.groupInstanceId ?? ''} restarted as ${c.memberId ?? '?'}`;
    case 'subscription-changed': return `${who} changed its subscription or metadata`;
    case 'leader-rejoined': return `leader ${who} rejoined (topic metadata changed)`;
    case 'partitions-added': return `partitions added to ${c.topic}: ${c.partitionsBefore} -> ${c.partitionsAfter}`;
    case 'topic-created': return `topic ${c.topic} created (${c.partitionsAfter} partitions)${c.regex !== undefined ? ` matching ${c.regex}` : ''}`;
    case 'topic-deleted': return `topic ${c.topic} deleted`;
    case 'metadata-changed': return 'subscribed topics changed';
    case 'cooperative-second-round': return 'second round of a cooperative rebalance (revoked partitions reassigned)';
    case 'group-over-capacity': return 'group larger than group.max.size after a restart';
    case 'forced': return 'forced by a test (forceRebalance)';
    case 'member-gone': return `${who} gone (left or timed out)`;
    case 'unknown': return 'rebalanced (cause not visible from outside the coordinator)';
  }
}

/** The causes of an entry joined into one line, most telling first, duplicates folded. */
export function summarizeCauses(entry: TimelineEntry): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const c of entry.causes) {
    const text = describeCause(c);
    if (seen.has(text)) continue;
    seen.add(text);
    parts.push(text);
  }
  if (parts.length === 0) return entry.kind === 'emptied' ? 'every member left' : 'initial assignment';
  return parts.join('; ');
}
