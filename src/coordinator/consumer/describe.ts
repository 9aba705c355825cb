import { ErrorCode } from '../../protocol/errors.js';
import type { ConsumerGroupDescribeDescribedGroupInit, ConsumerGroupDescribeResponseInit } from '../../protocol/messages/index.js';
import type { Ctx } from '../context.js';
import type { CoordinatorRequest } from '../types.js';
import { consumerGroupView, type NamedTopicPartitions } from './view.js';

/** Kafka's "not requested" value for AuthorizedOperations. */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
/** READ (3), DELETE (6), DESCRIBE (8): what a group supports; this broker has no ACLs. */
const GROUP_OPERATIONS_ALL = (1 << 3) | (1 << 6) | (1 << 8);
/** ConsumerGroupDescribe v1 (KIP-1099) tells classic members (0) from consumer ones (1). */
const MEMBER_TYPE_CLASSIC = 0;
const MEMBER_TYPE_CONSUMER = 1;

/**
 * ConsumerGroupDescribe v0-1: each consumer group with its epochs, assignor and members (current
 * and target assignments by topic id and name). A classic or unknown group is GROUP_ID_NOT_FOUND,
 * an empty id INVALID_GROUP_ID, as Kafka answers.
 */
export function handleConsumerGroupDescribe(ctx: Ctx, request: CoordinatorRequest<'consumer-describe'>): ConsumerGroupDescribeResponseInit {
  const operations = request.body.includeAuthorizedOperations ? GROUP_OPERATIONS_ALL : AUTHORIZED_OPERATIONS_OMITTED;
  return { throttleTimeMs: 0, groups: request.body.groupIds.map((groupId) => describeOne(ctx, groupId, operations)) };
}

function describeOne(ctx: Ctx, groupId: string, authorizedOperations: number): ConsumerGroupDescribeDescribedGroupInit {
  const failed = (errorCode: number, errorMessage: string): ConsumerGroupDescribeDescribedGroupInit => ({
    errorCode,
    errorMessage,
    groupId,
    groupState: '',
    groupEpoch: -1,
    assignmentEpoch: -1,
    assignorName: '',
    members: [],
    authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  });
  if (groupId === '') return failed(ErrorCode.INVALID_GROUP_ID, 'GroupId can not be empty.');
  const group = ctx.durable.consumerGroups.get(groupId);
  if (group === undefined) {
    return ctx.groups.has(groupId) ? failed(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`) : failed(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} not found.`);
  }
  const view = consumerGroupView(group, ctx.topics, ctx.config.consumerAssignors[0]!);
  const wire = (list: readonly NamedTopicPartitions[]) => ({
    // Kafka leaves out topics that no longer exist.
    topicPartitions: list.filter((t) => t.topicName !== null).map((t) => ({ topicId: t.topicId, topicName: t.topicName!, partitions: [...t.partitions] })),
  });
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    groupId,
    groupState: view.state,
    groupEpoch: view.groupEpoch,
    assignmentEpoch: view.assignmentEpoch,
    assignorName: view.assignor,
    members: view.members.map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      rackId: m.rackId,
      memberEpoch: m.memberEpoch,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: [...m.subscribedTopicNames],
      subscribedTopicRegex: m.subscribedTopicRegex,
      assignment: wire(m.assigned),
      targetAssignment: wire(m.target),
      memberType: m.classic ? MEMBER_TYPE_CLASSIC : MEMBER_TYPE_CONSUMER,
    })),
    authorizedOperations,
  };
}
