import type { SystemName } from '../ipc.js';
import type { SystemClient } from './types.js';

/**
 * Each benchmark process loads only its own client library (module loading would otherwise show
 * up in every CPU profile and start-up time).
 */
export async function loadClient(system: SystemName): Promise<SystemClient> {
  switch (system) {
    case 'samsa':
      return (await import('./samsa.js')).samsaClient;
    case 'redis':
      return (await import('./redis.js')).redisClient;
    case 'jetstream':
      return (await import('./jetstream.js')).jetstreamClient;
    case 'kafkajs':
      return (await import('./kafkajs.js')).kafkajsClient;
    case 'platformatic':
      return (await import('./platformatic.js')).platformaticClient;
  }
}

/** How each client produces and acknowledges, for the output. */
export async function clientDescriptions(): Promise<Record<SystemName, string>> {
  const names: SystemName[] = ['samsa', 'redis', 'jetstream', 'kafkajs', 'platformatic'];
  const out = {} as Record<SystemName, string>;
  for (const n of names) out[n] = (await loadClient(n)).describe;
  return out;
}
