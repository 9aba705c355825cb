export { startBroker, type Broker, type StartBrokerOptions } from './server.js';
export { BROKER_DEFAULTS, resolveBrokerConfig, type BrokerConfig, type BrokerOptions } from './config.js';
export { BROKER_EVENTS, subscribeBrokerEvent, type BrokerEventName, type BrokerEventPayloads, type ConnectionCloseReason } from './events.js';
export { COORDINATOR_EVENTS, subscribeCoordinatorEvent, type CoordinatorEventName, type CoordinatorEventPayloads } from './groups/events.js';
export { TXN_EVENTS, subscribeTxnEvent, type TxnEventName, type TxnEventPayloads } from './txn/events.js';
export { BrokerFaults, GroupClock, type AssignedPartitions, type FaultHandle, type GroupMemberSnapshot, type GroupSnapshot, type MemberSelector } from './faults/index.js';
