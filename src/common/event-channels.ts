import diagnosticsChannel from 'node:diagnostics_channel';

/**
 * Typed publish/subscribe over `node:diagnostics_channel`, keyed by channel name. Shells publish
 * facts through one of these (pure cores only return them); tools subscribe. Publishing costs one
 * check when nobody listens.
 */
export interface EventChannels<Payloads> {
  publish<N extends keyof Payloads & string>(name: N, payload: Payloads[N]): void;
  /** Subscribes to one event; returns the function that unsubscribes. */
  subscribe<N extends keyof Payloads & string>(name: N, listener: (payload: Payloads[N]) => void): () => void;
  hasSubscribers(name: keyof Payloads & string): boolean;
}

export function eventChannels<Payloads>(): EventChannels<Payloads> {
  const channels = new Map<string, diagnosticsChannel.Channel>();
  const channelFor = (name: string): diagnosticsChannel.Channel => {
    let ch = channels.get(name);
    if (ch === undefined) {
      ch = diagnosticsChannel.channel(name);
      channels.set(name, ch);
    }
    return ch;
  };
  return {
    publish(name, payload) {
      const ch = channelFor(name);
      if (ch.hasSubscribers) ch.publish(payload);
    },
    subscribe(name, listener) {
      const wrapped = (message: unknown): void => listener(message as never);
      diagnosticsChannel.subscribe(name, wrapped);
      return () => diagnosticsChannel.unsubscribe(name, wrapped);
    },
    hasSubscribers(name) {
      return channelFor(name).hasSubscribers;
    },
  };
}
