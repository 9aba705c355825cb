export { idempotentHandler, type IdempotentOptions, type IdempotentStats, type IdempotentHandler } from './handler.js';
export { MemoryDedupeStore, DEFAULT_MAX_KEYS, type DedupeStore, type ProcessedRecord } from './store.js';
export { FileDedupeStore, type FileDedupeStoreOptions } from './file-store.js';
