export * from './types.js';
export { buildTimelineEntry, rebalanceProtocolOf, partitionKey, assignmentRecord, type EntryFacts, type PendingRevocation } from './entry.js';
export { describeCause, summarizeCauses } from './describe.js';
