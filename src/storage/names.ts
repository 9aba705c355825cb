import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/errors.js';
import { StorageError } from './types.js';

/** Kafka's topic name rules (`Topic.validate`): legal characters, at most 249, not `.` or `..`. */
export const MAX_TOPIC_NAME_LENGTH = 249;
const TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;
/** Internal log names never contain '-', so their directories cannot collide with `<topic>-<n>`. */
const INTERNAL_LOG_NAME = /^[a-zA-Z0-9_.]{1,100}$/;
export const INTERNAL_LOG_PREFIX = '__samsa_';

/** Why `name` is not a legal topic name, or null when it is. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name cannot be '${name}'`;
  if (name.length > MAX_TOPIC_NAME_LENGTH) return `topic name is longer than ${MAX_TOPIC_NAME_LENGTH} characters`;
  if (!TOPIC_NAME.test(name)) return `topic name '${name}' has characters outside [a-zA-Z0-9._-]`;
  return null;
}

export function assertTopicName(name: string): void {
  const problem = topicNameProblem(name);
  if (problem !== null) throw new StorageError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
}

export function assertInternalLogName(name: string): void {
  if (!INTERNAL_LOG_NAME.test(name)) throw new Error(`internal log name '${name}' must match [a-zA-Z0-9_.]{1,100}`);
}

/** `<topic>-<partition>`, Kafka's partition directory name. */
export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export function internalLogDirName(name: string): string {
  return `${INTERNAL_LOG_PREFIX}${name}`;
}

/**
 * A Kafka UUID in its printed form: a random (version 4) UUID as unpadded base64url, 22 chars.
 * Kafka re-draws ids whose text starts with '-' so they never look like a command-line flag.
 */
export function newKafkaUuid(): string {
  for (;;) {
    const id = Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
    if (!id.startsWith('-') && id !== 'AAAAAAAAAAAAAAAAAAAAAA') return id;
  }
}

/** Segment files are named by base offset, zero-padded to 20 digits like Kafka's. */
export function segmentFileStem(baseOffset: number): string {
  return String(baseOffset).padStart(20, '0');
}

/** The base offset in a segment file name (`00000000000000001234.log`), or null for other files. */
export function parseSegmentFileName(fileName: string, extension: string): number | null {
  if (!fileName.endsWith(extension)) return null;
  const stem = fileName.slice(0, fileName.length - extension.length);
  if (!/^\d{20}$/.test(stem)) return null;
  return Number(stem);
}
