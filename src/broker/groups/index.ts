export { GroupCoordinatorShell, GroupCoordinatorUnavailable, coordinatorConfigOf, clientHostOf, type GroupShellOptions } from './shell.js';
export { callCoordinator } from './call.js';
export { GROUP_LOG_NAME, encodeGroupRecords, readGroupLog } from './internal-log.js';
export {
  COORDINATOR_EVENTS,
  publishCoordinatorEvent,
  subscribeCoordinatorEvent,
  type CoordinatorEventName,
  type CoordinatorEventPayloads,
} from './events.js';
