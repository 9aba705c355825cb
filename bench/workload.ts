/** What every benchmark workload gets and reports. Each workload lives in its own file. */
export interface WorkloadContext {
  bootstrap: string;
  nodeId: number;
  topic: string;
  partitions: number;
  records: number;
  recordBytes: number;
}

export interface WorkloadResult {
  records: number;
  /** Payload bytes moved (record values). */
  bytes: number;
}

export interface Workload {
  /** e.g. 'produce', 'consume'. */
  name: string;
  /** The client library used. */
  client: string;
  run(ctx: WorkloadContext): Promise<WorkloadResult>;
}

/** A value of `size` bytes that does not compress (so no codec can flatter the figures). */
export function payload(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}
