export { LogCleaner, LOG_CLEANER_DEFAULTS, compactionSettings, type LogCleanerOptions, type CleanerSource } from './log-cleaner.js';
export type { CleanableLog, CleanedLogStats, CleanerEvent } from './types.js';
export type { CleanerStep, CleanedSegmentStore } from './cleaned-segments.js';
export { keylessRecords, keylessRecordMessage } from './records.js';
export { OffsetMap, OFFSET_MAP_ENTRY_BYTES } from './offset-map.js';
