import type { SystemName } from '../ipc.js';
import { jetstreamClient } from './jetstream.js';
import { kafkajsClient } from './kafkajs.js';
import { platformaticClient } from './platformatic.js';
import { redisClient } from './redis.js';
import { samsaClient } from './samsa.js';
import type { SystemClient } from './types.js';

export const SYSTEM_CLIENTS: Record<SystemName, SystemClient> = {
  samsa: samsaClient,
  redis: redisClient,
  jetstream: jetstreamClient,
  kafkajs: kafkajsClient,
  platformatic: platformaticClient,
};

/** How each client produces and acknowledges, for the output. */
export const CLIENT_DESCRIPTIONS = Object.fromEntries(Object.entries(SYSTEM_CLIENTS).map(([k, c]) => [k, c.describe])) as Record<SystemName, string>;
