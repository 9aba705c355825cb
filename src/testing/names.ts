import { API_SPECS, ErrorCode, type ErrorCodeName } from '../protocol/index.js';

/** A Kafka API by its name in Kafka's message definitions: 'Produce', 'Fetch', 'Heartbeat', ... */
export type ApiName = (typeof API_SPECS)[keyof typeof API_SPECS]['name'];
/** A Kafka error by its name: 'NOT_LEADER_OR_FOLLOWER', 'REBALANCE_IN_PROGRESS', ... */
export type ErrorName = ErrorCodeName;

const API_KEYS = new Map<string, number>(Object.entries(API_SPECS).map(([key, spec]) => [spec.name, Number(key)]));

export function apiKeyOf(api: ApiName | number): number {
  if (typeof api === 'number') return api;
  const key = API_KEYS.get(api);
  if (key === undefined) throw new RangeError(`unknown Kafka API '${api}' (known: ${[...API_KEYS.keys()].join(', ')})`);
  return key;
}

export function errorCodeOf(error: ErrorName | number): number {
  if (typeof error === 'number') return error;
  const code = (ErrorCode as Record<string, number>)[error];
  if (code === undefined) throw new RangeError(`unknown Kafka error '${error}'`);
  return code;
}
