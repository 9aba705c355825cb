import { buildBatch } from './batch-builder.js';

/** The batch the crash child appends as its `index`-th append (one or two records, recognisable bytes). */
export function crashTestBatch(index: number): Buffer {
  const values = [Buffer.from(`record ${index} `.repeat(1 + (index % 7)))];
  if (index % 3 === 0) values.push(Buffer.from(`second ${index}`));
  return buildBatch({ values, timestampMs: 1_700_000_000_000 + index });
}
