import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { LogStore } from '../storage/types.js';
import type { BrokerConfig } from './config.js';
import type { AclStore } from './acl-store.js';
import type { CredentialStore } from './credential-store.js';
import type { BrokerFaults } from './faults/index.js';
import type { GroupCoordinatorShell } from './groups/shell.js';
import type { GroupTimelineStore } from './groups/timeline/index.js';
import type { AnyApiHandler } from './handler.js';
import type { TxnCoordinatorShell } from './txn/shell.js';

/**
 * Everything a handler may reach: configuration, storage, the group coordinator and shared
 * broker state. One per broker process.
 */
export interface BrokerContext {
  readonly config: BrokerConfig;
  readonly log: Logger;
  readonly clock: Clock;
  readonly store: LogStore;
  /** Every registered handler by API key (ApiVersions answers from it). */
  readonly handlers: ReadonlyMap<number, AnyApiHandler>;
  /** The transaction coordinator (producer ids, transactions) and its internal log. */
  readonly txn: TxnCoordinatorShell;
  /** Aborted when the broker starts shutting down: parked requests (long-poll Fetch) end at once. */
  readonly closing: AbortSignal;
  /** The group coordinator (classic groups, committed offsets) and its internal log. */
  readonly groups: GroupCoordinatorShell;
  /** The last rebalances of every group (durable), from the coordinator's facts. */
  readonly timeline: GroupTimelineStore;
  /** SCRAM credentials of SASL users (PLAIN is checked against them too). */
  readonly credentials: CredentialStore;
  /** The ACLs and their authorizer; null when no authorizer is configured (everything allowed). */
  readonly acls: AclStore | null;
  /** The fault-injection seam of a test broker (`faults: true`); null otherwise, and then nothing checks it but this. */
  readonly faults: BrokerFaults | null;
}
