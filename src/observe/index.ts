export { startObserveServer, type ObserveServer, type ObserveServerOptions } from './server.js';
export { ClusterPoller, type ClusterPollerOptions } from './cluster-poller.js';
export { InferredTimeline } from './timeline/inferred.js';
export type { TimelineSource } from './timeline/source.js';
export type { ClusterSnapshot, GroupView, TopicView } from './snapshot-types.js';
