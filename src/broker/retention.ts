import type { BrokerContext } from './context.js';
import { BROKER_EVENTS, publishBrokerEvent } from './events.js';

export interface RetentionTimer {
  /** Runs one pass now (tests, or an operator's request); passes never overlap. */
  runNow(): Promise<number>;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

/**
 * The broker's retention pass (`log.retention.check.interval.ms`): every interval, the store
 * deletes segments past their topic's retention.ms or beyond retention.bytes. The timer does not
 * keep the process alive.
 */
export function startRetentionTimer(ctx: BrokerContext): RetentionTimer {
  let running: Promise<number> | null = null;
  const runNow = (): Promise<number> => {
    running ??= (async () => {
      const startedMs = performance.now();
      try {
        const segmentsDeleted = await ctx.store.enforceRetention(ctx.clock.nowMs());
        const durationMs = Math.round(performance.now() - startedMs);
        if (segmentsDeleted > 0) ctx.log.info('retention deleted segments', { segmentsDeleted, durationMs });
        publishBrokerEvent(BROKER_EVENTS.retentionApplied, { nodeId: ctx.config.nodeId, port: ctx.config.port, segmentsDeleted, durationMs });
        return segmentsDeleted;
      } catch (err) {
        ctx.log.error('retention pass failed', { error: (err as Error).message });
        return 0;
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void runNow(), ctx.config.logRetentionCheckIntervalMs);
  timer.unref();
  return {
    runNow,
    async stop() {
      clearInterval(timer);
      if (running !== null) await running;
    },
  };
}
