export { runSimulation, classicMemberFactory, defaultMemberFactory, consumerMemberFactory, SIM_GROUP_ID, type MemberContext, type MemberFactory, type SimOptions, type SimResult } from './world.js';
export { randomConsumerScenario, randomScenario, type Fault, type MemberPlan, type Scenario } from './scenario.js';
export { ClassicSimMember, type ClassicSimMemberOptions } from './classic-member.js';
export { SimCoordinatorHost, InvariantViolation } from './coordinator-host.js';
export type { OwnershipClaim, SimMember, SimMemberPort, SimPartition } from './member.js';
export { ConsumerSimMember, simTopicId, type ConsumerSimMemberOptions } from './consumer-member.js';
