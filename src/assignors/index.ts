import { cooperativeStickyAssignor, stickyAssignor } from './sticky.js';
import { rangeAssignor } from './range.js';
import { roundRobinAssignor } from './round-robin.js';
import type { Assignor } from './types.js';

export type {
  AssignmentInput,
  Assignor,
  AssignorMember,
  MemberAssignment,
  RebalanceProtocol,
  TopicPartitions,
} from './types.js';
export { rangeAssignor } from './range.js';
export { roundRobinAssignor } from './round-robin.js';
export { cooperativeStickyAssignor, stickyAssignor } from './sticky.js';

/** The built-in assignors by protocol name. */
export const builtInAssignors: ReadonlyMap<string, Assignor> = new Map<string, Assignor>([
  [rangeAssignor.name, rangeAssignor],
  [roundRobinAssignor.name, roundRobinAssignor],
  [stickyAssignor.name, stickyAssignor],
  [cooperativeStickyAssignor.name, cooperativeStickyAssignor],
]);
