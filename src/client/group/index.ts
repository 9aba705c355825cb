/**
 * The consumer-group member as a pure state machine (no I/O, no clock, no timers). The consumer
 * in src/client/consumer drives it over sockets; the simulator drives it with virtual time.
 */
export { GroupMember, type GroupResponse } from './member.js';
export { chooseRebalanceProtocol, performAssignment, withholdOwnedPartitions, decodeMembers, groupSubscribedTopics } from './leader.js';
export { encodeSubscription, decodeSubscription, encodeAssignment, decodeAssignment, SUBSCRIPTION_VERSION, ASSIGNMENT_VERSION } from './embedded.js';
export { partitionKey, sortPartitions, subtractPartitions, groupByTopic, flattenTopics, formatPartitions, comparePartitions } from './partitions.js';
export * from './types.js';
