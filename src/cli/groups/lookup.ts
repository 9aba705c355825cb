import type { Admin } from '../../client/admin/index.js';
import type { CommittedOffset, GroupDescription } from '../../client/admin/types.js';
import { DEAD, isUnsupported } from '../../observe/lag/cluster-reads.js';
import { CliError } from '../context.js';

export { DEAD, describeGroupsIfSupported, groupLag } from '../../observe/lag/cluster-reads.js';

/** A note for stderr when DescribeGroups is missing. */
export const NO_DESCRIBE_GROUPS = 'the broker does not implement DescribeGroups (API 15): group state, members and owners are not shown';

/** ListGroups, with a clear message when the broker does not implement it. */
export async function listGroupIds(admin: Admin, states?: string[]): Promise<Array<{ groupId: string; protocolType: string; state: string; type?: string }>> {
  try {
    return await admin.listGroups(states === undefined ? {} : { states });
  } catch (err) {
    if (isUnsupported(err)) throw new CliError('the broker does not implement ListGroups (API 16), so groups cannot be listed; name a group with --group');
    throw err;
  }
}

/** Fails with a one-line "does not exist" when a group has neither state nor committed offsets. */
export function assertGroupKnown(groupId: string, description: GroupDescription | null | undefined, committedCount: number): void {
  if (committedCount > 0) return;
  if (description === null) {
    throw new CliError(`group "${groupId}" has no committed offsets (or does not exist); the broker cannot describe groups (no DescribeGroups)`);
  }
  if (description === undefined || description.state === DEAD) throw new CliError(`group "${groupId}" does not exist`);
}

/** `host:port (id)`, as kafka-consumer-groups prints a coordinator. */
export async function coordinatorLabel(admin: Admin, groupId: string): Promise<{ id: number; host: string | null; port: number | null }> {
  const id = await admin.cluster.coordinator(groupId);
  await admin.cluster.metadata();
  const b = admin.cluster.cache.brokers.get(id);
  return { id, host: b?.host ?? null, port: b?.port ?? null };
}

/** `orders(0,1),payments(2)`: kafka-consumer-groups' way of writing an assignment. */
export function formatAssignment(assignment: Array<{ topic: string; partitions: number[] }> | null): string | null {
  if (assignment === null) return null;
  if (assignment.length === 0) return '';
  return [...assignment].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0))
    .map((tp) => `${tp.topic}(${tp.partitions.join(',')})`).join(',');
}

/** The group's committed offsets (offset >= 0 only), with the same care for reduced brokers. */
export async function committedOffsets(admin: Admin, groupId: string, describeSupported: boolean, topics?: string[]): Promise<CommittedOffset[]> {
  const names = topics ?? (describeSupported ? undefined : await admin.listTopics());
  const offsets = await admin.fetchOffsets({ groupId, topics: names?.map((topic) => ({ topic })) });
  return offsets.filter((c) => c.offset >= 0);
}
