import { Reader } from './reader.js';
import { Writer } from './writer.js';

/**
 * The userData that sticky assignors put in a member's ConsumerProtocolSubscription. All layouts
 * use the classic (non-flexible) encoding and carry no version of their own:
 *
 * - Java StickyAssignor V0: `previous_assignment [ {topic string, partitions [int32]} ]`
 * - Java StickyAssignor V1: V0 followed by `generation int32` (what Java writes; readers try V1,
 *   then V0). librdkafka's cooperative-sticky and kafka-python's sticky assignor write this
 *   layout too.
 * - Java CooperativeStickyAssignor: just `generation int32` (only needed by leaders that receive a
 *   subscription older than v2, which has no GenerationId field).
 *
 * Decoding is tolerant, as Java's is: trailing bytes are ignored, and bytes that cannot be parsed
 * decode to "no data" rather than failing the rebalance.
 */

export interface UserDataTopicPartitions {
  topic: string;
  partitions: number[];
}

export interface StickyUserData {
  previousAssignment: UserDataTopicPartitions[];
  /** Present in V1, null in V0. */
  generation: number | null;
}

/** Encodes StickyAssignor userData: V1 when a generation is given, V0 when it is null. */
export function encodeStickyUserData(previousAssignment: readonly UserDataTopicPartitions[], generation: number | null): Buffer {
  const w = new Writer({ initialBytes: 64 });
  w.arrayLength(previousAssignment.length, false);
  for (const { topic, partitions } of previousAssignment) {
    w.string(topic, false);
    w.arrayLength(partitions.length, false);
    for (const p of partitions) w.int32(p);
  }
  if (generation !== null) w.int32(generation);
  return w.toBuffer();
}

/**
 * Decodes StickyAssignor (or librdkafka cooperative-sticky) userData. Returns null for null or
 * empty bytes and for bytes that parse as neither V1 nor V0.
 */
export function decodeStickyUserData(data: Buffer | null): StickyUserData | null {
  if (data === null || data.length === 0) return null;
  const r = new Reader(data);
  let previousAssignment: UserDataTopicPartitions[];
  try {
    previousAssignment = readPreviousAssignment(r);
  } catch {
    return null;
  }
  // V1 adds a generation; when the bytes end right after the assignment it was V0.
  if (r.remaining < 4) return { previousAssignment, generation: null };
  return { previousAssignment, generation: r.int32() };
}

function readPreviousAssignment(r: Reader): UserDataTopicPartitions[] {
  const topicCount = r.arrayLength(false);
  if (topicCount < 0) throw new Error('null previous_assignment');
  const out: UserDataTopicPartitions[] = [];
  for (let i = 0; i < topicCount; i++) {
    const topic = r.string(false);
    const partitionCount = r.arrayLength(false);
    if (partitionCount < 0) throw new Error('null partitions');
    r.need(4 * partitionCount);
    const partitions: number[] = new Array(partitionCount);
    for (let j = 0; j < partitionCount; j++) partitions[j] = r.int32();
    out.push({ topic, partitions });
  }
  return out;
}

/** Encodes CooperativeStickyAssignor userData: the generation of the member's last assignment. */
export function encodeCooperativeStickyUserData(generation: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(generation, 0);
  return b;
}

/**
 * Decodes CooperativeStickyAssignor userData the way Java does: the first four bytes as the
 * generation, whatever follows. Returns null for null bytes or fewer than four bytes. (A Java
 * leader therefore reads librdkafka's cooperative-sticky userData, which starts with the topic
 * count of its previous assignment, as that count; Samsa's leader does the same, to agree with it.)
 */
export function decodeCooperativeStickyUserData(data: Buffer | null): number | null {
  if (data === null || data.length < 4) return null;
  return data.readInt32BE(0);
}
