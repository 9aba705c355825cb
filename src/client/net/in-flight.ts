import { ProtocolError } from '../../protocol/protocol-error.js';

/** What the bookkeeping needs of a request waiting for its answer. */
export interface InFlightEntry {
  correlationId: number;
  /** Absolute time (ms) after which the request counts as timed out. */
  deadlineMs: number;
}

const MAX_CORRELATION_ID = 0x7fffffff;

/**
 * Correlation bookkeeping for one connection (pure: no I/O, no clock). Kafka answers the requests
 * of a connection in the order they were sent, so a response must carry the correlation id of the
 * oldest request still waiting; anything else means the stream is out of step and the connection
 * must be dropped. Entries sit in an array with a moving head, so taking the oldest is O(1).
 */
export class InFlightRequests<E extends InFlightEntry> {
  private entries: E[] = [];
  private head = 0;
  private nextId: number;

  constructor(firstCorrelationId = 0) {
    this.nextId = firstCorrelationId;
  }

  /** Correlation ids count up and wrap to 0 after INT32_MAX (they are int32 on the wire). */
  nextCorrelationId(): number {
    const id = this.nextId;
    this.nextId = id === MAX_CORRELATION_ID ? 0 : id + 1;
    return id;
  }

  get size(): number {
    return this.entries.length - this.head;
  }

  push(entry: E): void {
    this.entries.push(entry);
  }

  /** The oldest waiting request, which the response with `correlationId` must answer. */
  take(correlationId: number): E {
    if (this.head >= this.entries.length) {
      throw new ProtocolError(`response with correlation id ${correlationId} but no request is waiting`);
    }
    const entry = this.entries[this.head]!;
    if (entry.correlationId !== correlationId) {
      throw new ProtocolError(`response with correlation id ${correlationId} while ${entry.correlationId} was expected`);
    }
    this.entries[this.head] = undefined as unknown as E;
    this.head++;
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return entry;
  }

  /** Removes and returns every waiting request (the connection is gone). */
  drain(): E[] {
    const out = this.entries.slice(this.head);
    this.entries = [];
    this.head = 0;
    return out;
  }

  /** Earliest deadline among waiting requests, or Infinity when none wait. */
  earliestDeadlineMs(): number {
    let min = Infinity;
    for (let i = this.head; i < this.entries.length; i++) {
      const d = this.entries[i]!.deadlineMs;
      if (d < min) min = d;
    }
    return min;
  }

  /** The first waiting request whose deadline has passed at `nowMs`, if any. */
  firstExpired(nowMs: number): E | undefined {
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.deadlineMs <= nowMs) return e;
    }
    return undefined;
  }
}
