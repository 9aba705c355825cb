import type { AnyApiHandler } from '../handler.js';
import { produceHandler } from './00-produce.js';
import { fetchHandler } from './01-fetch.js';
import { listOffsetsHandler } from './02-list-offsets.js';
import { metadataHandler } from './03-metadata.js';
import { offsetCommitHandler } from './08-offset-commit.js';
import { offsetFetchHandler } from './09-offset-fetch.js';
import { findCoordinatorHandler } from './10-find-coordinator.js';
import { joinGroupHandler } from './11-join-group.js';
import { heartbeatHandler } from './12-heartbeat.js';
import { leaveGroupHandler } from './13-leave-group.js';
import { syncGroupHandler } from './14-sync-group.js';
import { describeGroupsHandler } from './15-describe-groups.js';
import { listGroupsHandler } from './16-list-groups.js';
import { apiVersionsHandler } from './18-api-versions.js';
import { createTopicsHandler } from './19-create-topics.js';
import { deleteTopicsHandler } from './20-delete-topics.js';
import { deleteRecordsHandler } from './21-delete-records.js';
import { initProducerIdHandler } from './22-init-producer-id.js';
import { describeConfigsHandler } from './32-describe-configs.js';
import { alterConfigsHandler } from './33-alter-configs.js';
import { createPartitionsHandler } from './37-create-partitions.js';
import { incrementalAlterConfigsHandler } from './44-incremental-alter-configs.js';
import { deleteGroupsHandler } from './42-delete-groups.js';
import { offsetDeleteHandler } from './47-offset-delete.js';
import { describeClusterHandler } from './60-describe-cluster.js';
import { addPartitionsToTxnHandler } from './24-add-partitions-to-txn.js';
import { addOffsetsToTxnHandler } from './25-add-offsets-to-txn.js';
import { endTxnHandler } from './26-end-txn.js';
import { writeTxnMarkersHandler } from './27-write-txn-markers.js';
import { txnOffsetCommitHandler } from './28-txn-offset-commit.js';
import { describeProducersHandler } from './61-describe-producers.js';
import { describeTransactionsHandler } from './65-describe-transactions.js';
import { listTransactionsHandler } from './66-list-transactions.js';
import { consumerGroupHeartbeatHandler } from './68-consumer-group-heartbeat.js';
import { consumerGroupDescribeHandler } from './69-consumer-group-describe.js';
import { saslHandshakeHandler } from './17-sasl-handshake.js';
import { saslAuthenticateHandler } from './36-sasl-authenticate.js';
import { describeUserScramCredentialsHandler } from './50-describe-user-scram-credentials.js';
import { alterUserScramCredentialsHandler } from './51-alter-user-scram-credentials.js';
import { describeAclsHandler } from './29-describe-acls.js';
import { createAclsHandler } from './30-create-acls.js';
import { deleteAclsHandler } from './31-delete-acls.js';

/** The data path and topic administration (produce, fetch, metadata, topics, configs). */
export const DATA_PATH_HANDLERS: readonly AnyApiHandler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  deleteRecordsHandler,
  initProducerIdHandler,
  describeConfigsHandler,
  alterConfigsHandler,
  createPartitionsHandler,
  incrementalAlterConfigsHandler,
  describeClusterHandler,
];

/** The group coordinator's APIs (classic consumer groups and committed offsets). */
export const GROUP_HANDLERS: readonly AnyApiHandler[] = [
  offsetCommitHandler,
  offsetFetchHandler,
  findCoordinatorHandler,
  joinGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  syncGroupHandler,
  describeGroupsHandler,
  listGroupsHandler,
  deleteGroupsHandler,
  offsetDeleteHandler,
  consumerGroupHeartbeatHandler,
  consumerGroupDescribeHandler,
];

/** Transactions (KIP-98): the transaction coordinator's APIs and the tools around them. */
export const TXN_HANDLERS: readonly AnyApiHandler[] = [
  addPartitionsToTxnHandler,
  addOffsetsToTxnHandler,
  endTxnHandler,
  writeTxnMarkersHandler,
  txnOffsetCommitHandler,
  describeProducersHandler,
  describeTransactionsHandler,
  listTransactionsHandler,
];

/** Authentication and authorization: SASL, SCRAM credentials, ACLs. */
export const SECURITY_HANDLERS: readonly AnyApiHandler[] = [
  saslHandshakeHandler,
  saslAuthenticateHandler,
  describeUserScramCredentialsHandler,
  alterUserScramCredentialsHandler,
  describeAclsHandler,
  createAclsHandler,
  deleteAclsHandler,
];

/** Every API the broker serves. Adding a handler here is all it takes to advertise it. */
export const HANDLERS: readonly AnyApiHandler[] = [apiVersionsHandler, ...DATA_PATH_HANDLERS, ...GROUP_HANDLERS, ...TXN_HANDLERS, ...SECURITY_HANDLERS];

export function handlerRegistry(handlers: readonly AnyApiHandler[] = HANDLERS): Map<number, AnyApiHandler> {
  const map = new Map<number, AnyApiHandler>();
  for (const h of handlers) {
    if (map.has(h.apiKey)) throw new Error(`two handlers for api key ${h.apiKey}`);
    map.set(h.apiKey, h);
  }
  return map;
}
