import { rangeAssignor } from './range.js';
import type { ServerAssignor } from './types.js';
import { uniformAssignor } from './uniform.js';

export type { PartitionsByTopic, ServerAssignmentInput, ServerAssignor, ServerAssignorMember } from './types.js';
export { rangeAssignor as serverRangeAssignor } from './range.js';
export { uniformAssignor } from './uniform.js';

/** The server-side assignors of consumer groups (KIP-848) by name. */
export const serverAssignors: ReadonlyMap<string, ServerAssignor> = new Map([
  [uniformAssignor.name, uniformAssignor],
  [rangeAssignor.name, rangeAssignor],
]);
