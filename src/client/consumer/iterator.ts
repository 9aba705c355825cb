import type { ConsumedMessage, EachMessageHandler } from './types.js';

/**
 * An async iterator over a consumer's records, built on run({ eachMessage }): each handler call
 * hands its record to the iterator and waits. A record counts as processed (and becomes
 * committable) when the loop asks for the next one, so `for await` gives the same guarantees as
 * eachMessage. Leaving the loop (break, return, throw) counts the last record as processed and
 * closes the consumer.
 */
export function messageIterator(
  start: (eachMessage: EachMessageHandler) => Promise<void>,
  close: () => Promise<void>,
): AsyncIterableIterator<ConsumedMessage> {
  let started: Promise<void> | null = null;
  let finished = false;
  /** Completes the handler call of the record the loop last received. */
  let release: (() => void) | null = null;
  /** A record waiting for the loop, with the completion of its handler call. */
  let offered: { message: ConsumedMessage; done: () => void } | null = null;
  let waiting: ((r: IteratorResult<ConsumedMessage>) => void) | null = null;

  const eachMessage: EachMessageHandler = ({ message }) =>
    new Promise<void>((done) => {
      if (finished) return done();
      if (waiting !== null) {
        const w = waiting;
        waiting = null;
        release = done;
        w({ value: message, done: false });
      } else {
        offered = { message, done };
      }
    });

  const finish = async (): Promise<IteratorResult<ConsumedMessage>> => {
    if (!finished) {
      finished = true;
      release?.();
      release = null;
      offered?.done();
      offered = null;
      waiting?.({ value: undefined, done: true });
      waiting = null;
      await close();
    }
    return { value: undefined, done: true };
  };

  const iterator: AsyncIterableIterator<ConsumedMessage> = {
    async next(): Promise<IteratorResult<ConsumedMessage>> {
      if (finished) return { value: undefined, done: true };
      started ??= start(eachMessage);
      await started;
      release?.();
      release = null;
      if (offered !== null) {
        const o: { message: ConsumedMessage; done: () => void } = offered;
        offered = null;
        release = o.done;
        return { value: o.message, done: false };
      }
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return: finish,
    async throw(err?: unknown): Promise<IteratorResult<ConsumedMessage>> {
      await finish();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
