import type { AnyApiHandler } from '../handler.js';
import { apiVersionsHandler } from './18-api-versions.js';

/** Every API the broker serves. Adding a handler here is all it takes to advertise it. */
export const HANDLERS: readonly AnyApiHandler[] = [apiVersionsHandler];

export function handlerRegistry(handlers: readonly AnyApiHandler[] = HANDLERS): Map<number, AnyApiHandler> {
  const map = new Map<number, AnyApiHandler>();
  for (const h of handlers) {
    if (map.has(h.apiKey)) throw new Error(`two handlers for api key ${h.apiKey}`);
    map.set(h.apiKey, h);
  }
  return map;
}
