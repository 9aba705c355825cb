import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../errors.js';
import type { Cluster } from '../net/cluster.js';
import { coordinatorsOf } from './groups.js';
import type { GroupDescription, TopicPartitions } from './types.js';

/** ConsumerGroupDescribe v1's MemberType: 0 classic (JoinGroup), 1 consumer. */
const MEMBER_TYPE_CLASSIC = 0;

function byName(list: readonly { topicName: string; partitions: number[] }[]): TopicPartitions[] {
  return list
    .map((t) => ({ topic: t.topicName, partitions: [...t.partitions].sort((a, b) => a - b) }))
    .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
}

/**
 * ConsumerGroupDescribe (KIP-848) for groups DescribeGroups calls Dead: a KIP-848 group is not a
 * classic group, so DescribeGroups (v0-5) reports it that way. Returns the consumer groups found;
 * nothing when the broker does not have the API.
 */
export async function describeConsumerGroups(cluster: Cluster, groupIds: readonly string[]): Promise<Map<string, GroupDescription>> {
  const out = new Map<string, GroupDescription>();
  if (groupIds.length === 0) return out;
  const byNode = await coordinatorsOf(cluster, groupIds);
  await Promise.all(
    [...byNode].map(async ([nodeId, list]) => {
      let response;
      try {
        ({ response } = await cluster.request(nodeId, 69, { groupIds: list, includeAuthorizedOperations: false }));
      } catch (err) {
        if (err instanceof KafkaError && err.code === ErrorCode.UNSUPPORTED_VERSION) return;
        throw err;
      }
      for (const g of response.groups) {
        if (g.errorCode !== ErrorCode.NONE) continue;
        out.set(g.groupId, {
          groupId: g.groupId,
          state: g.groupState,
          protocolType: 'consumer',
          protocol: g.assignorName,
          type: 'consumer',
          groupEpoch: g.groupEpoch,
          assignmentEpoch: g.assignmentEpoch,
          members: g.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.instanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            assignment: byName(m.assignment.topicPartitions),
            subscription: [...m.subscribedTopicNames].sort(),
            memberEpoch: m.memberEpoch,
            targetAssignment: byName(m.targetAssignment.topicPartitions),
            subscribedTopicRegex: m.subscribedTopicRegex,
            memberType: m.memberType === MEMBER_TYPE_CLASSIC ? 'classic' : 'consumer',
          })),
        });
      }
    }),
  );
  return out;
}
