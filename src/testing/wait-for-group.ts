import { COORDINATOR_EVENTS, subscribeCoordinatorEvent, type Broker, type GroupSnapshot } from '../broker/index.js';

export interface WaitForGroupOptions {
  /** Default 10000. */
  timeoutMs?: number;
}

/**
 * Re-checks at every group coordinator event of this broker (and every 50 ms, for changes that
 * publish none) until `until` holds. Event-driven, so a test waits as long as the group takes.
 */
export function waitForGroup(
  broker: Broker,
  snapshot: () => GroupSnapshot | null,
  until: (group: GroupSnapshot) => boolean,
  options: WaitForGroupOptions,
): Promise<GroupSnapshot> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const stops: Array<() => void> = [];
    let done = false;
    const finish = (fn: () => void): void => {
      done = true;
      for (const stop of stops) stop();
      fn();
    };
    const check = (): void => {
      if (done) return;
      const g = snapshot();
      if (g !== null && until(g)) finish(() => resolve(g));
    };
    for (const name of Object.values(COORDINATOR_EVENTS)) {
      stops.push(
        subscribeCoordinatorEvent(name, (e: { nodeId: number; port: number }) => {
          if (e.nodeId === broker.config.nodeId && e.port === broker.port) queueMicrotask(check);
        }),
      );
    }
    const poll = setInterval(check, 50);
    stops.push(() => clearInterval(poll));
    const timer = setTimeout(() => {
      const last = snapshot();
      finish(() => reject(new Error(`group did not reach the expected state within ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`)));
    }, timeoutMs);
    stops.push(() => clearTimeout(timer));
    check();
  });
}
