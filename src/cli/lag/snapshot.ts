import type { Admin } from '../../client/admin/index.js';
import { takeGroupSnapshot, type GroupSnapshot } from '../../observe/lag/snapshot.js';
import { assertGroupKnown } from '../groups/lookup.js';

export type { GroupSnapshot, PartitionSnapshot } from '../../observe/lag/snapshot.js';

/** One look at a group (see takeGroupSnapshot); fails with one line when the group does not exist. */
export async function takeSnapshot(admin: Admin, groupId: string, nowMs: () => number): Promise<GroupSnapshot> {
  const { description, committedCount, ...snapshot } = await takeGroupSnapshot(admin, groupId, nowMs);
  assertGroupKnown(groupId, description === null ? null : description, committedCount);
  return snapshot;
}
