import type { Broker } from '../broker/index.js';
import { createAdmin, type Admin } from '../client/admin/index.js';
import type { ClientOptions } from '../client/options.js';
import { startObserveServer, type ObserveServer } from '../observe/index.js';

export { httpPortArg } from './http-port-arg.js';

export interface HttpFlags {
  httpPort: number;
  httpHost?: string;
  pollIntervalMs?: number;
  group?: string[];
  clusterName?: string;
}

/**
 * Starts the metrics and dashboard server for a cluster, with its own admin client (closed with
 * the server). With `broker`, a Samsa broker in this process: exact timeline, broker metrics.
 */
export async function startHttp(clientOptions: ClientOptions, flags: HttpFlags, broker?: Broker): Promise<{ server: ObserveServer; close(): Promise<void> }> {
  const admin: Admin = createAdmin({ ...clientOptions, clientId: clientOptions.clientId ?? 'samsa-observe' });
  let server: ObserveServer;
  try {
    server = await startObserveServer({
      admin,
      port: flags.httpPort,
      host: flags.httpHost ?? '127.0.0.1',
      ...(flags.pollIntervalMs !== undefined ? { pollIntervalMs: flags.pollIntervalMs } : {}),
      ...(flags.group !== undefined ? { groups: flags.group } : {}),
      ...(flags.clusterName !== undefined ? { clusterName: flags.clusterName } : {}),
      ...(broker !== undefined ? { broker } : {}),
    });
  } catch (err) {
    await admin.close().catch(() => {});
    throw err;
  }
  return {
    server,
    async close() {
      await server.close();
      await admin.close().catch(() => {});
    },
  };
}
