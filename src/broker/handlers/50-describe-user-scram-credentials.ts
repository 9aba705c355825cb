import { ErrorCode } from '../../protocol/errors.js';
import { SCRAM_MECHANISMS } from '../../protocol/sasl/scram.js';
import type { DescribeUserScramCredentialsResultInit } from '../../protocol/messages/index.js';
import { allowedOnCluster, Op } from '../authorize.js';
import { defineHandler } from '../handler.js';

/**
 * DescribeUserScramCredentials v0 (KIP-554): each user's mechanisms and iterations, never salts or
 * keys. Users null or empty: all of them. Kafka's errors: RESOURCE_NOT_FOUND for an unknown user,
 * DUPLICATE_RESOURCE for a user asked twice. Needs DESCRIBE on the cluster (CLUSTER_AUTHORIZATION_FAILED).
 */
export const describeUserScramCredentialsHandler = defineHandler({
  apiKey: 50,
  minVersion: 0,
  maxVersion: 0,
  handle(rctx, request) {
    if (!allowedOnCluster(rctx, Op.DESCRIBE)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.', results: [] };
    const table = rctx.broker.credentials.current();
    const describe = (user: string): DescribeUserScramCredentialsResultInit => {
      const info = table.describe(user);
      if (info === undefined) return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos: [] };
      return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: info.mechanisms.map((m) => ({ mechanism: SCRAM_MECHANISMS[m.mechanism].code, iterations: m.iterations })) };
    };
    const asked = request.users;
    if (asked === null || asked.length === 0) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results: table.list().map((u) => describe(u.user)) };
    const counts = new Map<string, number>();
    for (const u of asked) counts.set(u.name, (counts.get(u.name) ?? 0) + 1);
    const results = [...counts].map(([user, n]) =>
      n > 1 ? { user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: [] } : describe(user),
    );
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
  },
  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, errorMessage: null, results: [] };
  },
});
