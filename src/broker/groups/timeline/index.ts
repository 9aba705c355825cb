export { GroupTimelineStore, TIMELINE_LOG_NAME, type TimelineStoreOptions } from './store.js';
export { TimelineBuilder, membersOf, type TopicChange } from './builder.js';
