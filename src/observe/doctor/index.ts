export * from './types.js';
export { diagnose, compareFindings } from './analyze.js';
export { hotShare } from './skew.js';
