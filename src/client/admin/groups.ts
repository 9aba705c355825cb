import { ErrorCode } from '../../protocol/errors.js';
import { decodeAssignment, decodeSubscription } from '../../protocol/consumer-protocol.js';
import type { DescribeGroupsDescribedGroupMember } from '../../protocol/messages/15-describe-groups.js';
import { KafkaError, throwIfError } from '../errors.js';
import type { Cluster } from '../net/cluster.js';
import { describeConsumerGroups } from './consumer-groups.js';
import { retryItems, type ItemOutcome } from './retry-items.js';
import type { GroupDescription, GroupListing, GroupMemberDescription } from './types.js';

/** Before a retry: forget the coordinators of groups whose answer said they moved. */
export function forgetCoordinators(cluster: Cluster) {
  return (_codes: number[], groupIds: string[]) => {
    for (const g of groupIds) cluster.invalidateCoordinator(g);
  };
}

/** The coordinator node of each group (looked up concurrently, cached by the cluster). */
export async function coordinatorsOf(cluster: Cluster, groupIds: readonly string[]): Promise<Map<number, string[]>> {
  const nodes = await Promise.all(groupIds.map((g) => cluster.coordinator(g)));
  const out = new Map<number, string[]>();
  groupIds.forEach((g, i) => {
    const list = out.get(nodes[i]!);
    if (list === undefined) out.set(nodes[i]!, [g]);
    else list.push(g);
  });
  return out;
}

/**
 * ListGroups goes to every broker (each lists the groups it coordinates). The states filter is
 * sent from ListGroups v4 (KIP-518); an older broker's answer is filtered here through
 * DescribeGroups, which reports the states.
 */
export async function listGroups(cluster: Cluster, o: { states?: string[]; types?: string[] } = {}): Promise<GroupListing[]> {
  const cache = await cluster.metadata({ force: true });
  const all = new Map<string, GroupListing>();
  let needStates = false;
  await Promise.all([...cache.brokers.keys()].map((nodeId) => cluster.retry(async () => {
    const { version, response } = await cluster.request(nodeId, 16, (v) => ({
      statesFilter: v >= 4 ? o.states ?? [] : [],
      typesFilter: v >= 5 ? o.types ?? [] : [],
    }));
    throwIfError(response.errorCode, { api: 'ListGroups', broker: nodeId });
    if (version < 4 && o.states !== undefined && o.states.length > 0) needStates = true;
    for (const g of response.groups) all.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType, state: g.groupState, type: g.groupType });
  })));
  let groups = [...all.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  if (needStates && groups.length > 0) {
    const described = await describeGroups(cluster, groups.map((g) => g.groupId));
    const states = new Map(described.map((d) => [d.groupId, d.state]));
    groups = groups.map((g) => ({ ...g, state: states.get(g.groupId) ?? g.state })).filter((g) => o.states!.includes(g.state));
  }
  return groups;
}

/**
 * Members with their client ids, hosts and decoded assignments, per group (from its coordinator).
 * Consumer groups (KIP-848), which DescribeGroups reports as Dead, are described with
 * ConsumerGroupDescribe where the broker has it.
 */
export async function describeGroups(cluster: Cluster, groupIds: string[]): Promise<GroupDescription[]> {
  const classic = await describeClassicGroups(cluster, groupIds);
  const dead = classic.filter((d) => d.state === 'Dead').map((d) => d.groupId);
  const consumer = await describeConsumerGroups(cluster, dead);
  return classic.map((d) => consumer.get(d.groupId) ?? (d.state === 'Dead' ? d : { ...d, type: 'classic' as const }));
}

async function describeClassicGroups(cluster: Cluster, groupIds: string[]): Promise<GroupDescription[]> {
  return retryItems<string, GroupDescription>(cluster, groupIds, (g) => g, async (pending) => {
    const out = new Map<string, ItemOutcome<GroupDescription>>();
    const byNode = await coordinatorsOf(cluster, pending);
    await Promise.all([...byNode].map(async ([nodeId, list]) => {
      const { response } = await cluster.request(nodeId, 15, { groups: list });
      for (const g of response.groups) {
        out.set(g.groupId, {
          code: g.errorCode,
          result: { groupId: g.groupId, state: g.groupState, protocolType: g.protocolType, protocol: g.protocolData, members: g.members.map((m) => describeMember(m, g.protocolType)) },
        });
      }
    }));
    return out;
  }, (g) => ({ api: 'DescribeGroups', groupId: g }), forgetCoordinators(cluster));
}

/** Decodes the consumer embedded protocol when the group uses it; other protocols stay opaque. */
function describeMember(m: DescribeGroupsDescribedGroupMember, protocolType: string): GroupMemberDescription {
  let assignment: GroupMemberDescription['assignment'] = null;
  let subscription: GroupMemberDescription['subscription'] = null;
  if (protocolType === 'consumer') {
    try {
      assignment = decodeAssignment(m.memberAssignment).assignedPartitions.map((tp) => ({ topic: tp.topic, partitions: [...tp.partitions].sort((a, b) => a - b) }));
    } catch {
      assignment = null;
    }
    try {
      subscription = m.memberMetadata.length > 0 ? decodeSubscription(m.memberMetadata).topics : null;
    } catch {
      subscription = null;
    }
  }
  return { memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost, assignment, subscription };
}

/** Deletes empty groups (and their committed offsets); a group with members is NON_EMPTY_GROUP. */
export async function deleteGroups(cluster: Cluster, groupIds: string[]): Promise<void> {
  await retryItems<string, null>(cluster, groupIds, (g) => g, async (pending) => {
    const out = new Map<string, ItemOutcome<null>>();
    const byNode = await coordinatorsOf(cluster, pending);
    await Promise.all([...byNode].map(async ([nodeId, list]) => {
      const { response } = await cluster.request(nodeId, 42, { groupsNames: list });
      for (const r of response.results) out.set(r.groupId, { code: r.errorCode, result: null });
    }));
    return out;
  }, (g) => ({ api: 'DeleteGroups', groupId: g }), forgetCoordinators(cluster));
}

/** Refuses to touch a group that has members (offsets of a live group belong to its members). */
export async function assertGroupInactive(cluster: Cluster, groupId: string): Promise<void> {
  let description: GroupDescription;
  try {
    [description] = (await describeGroups(cluster, [groupId])) as [GroupDescription];
  } catch (err) {
    // Brokers without DescribeGroups (librdkafka's mock): the coordinator's OffsetCommit check remains.
    if (err instanceof KafkaError && err.code === ErrorCode.UNSUPPORTED_VERSION) return;
    throw err;
  }
  if (description.members.length > 0) {
    throw new KafkaError(ErrorCode.NON_EMPTY_GROUP, { api: 'OffsetCommit', groupId },
      `NON_EMPTY_GROUP (68): group ${groupId} has ${description.members.length} active member(s) (state ${description.state}); stop its consumers before changing its offsets`);
  }
}
