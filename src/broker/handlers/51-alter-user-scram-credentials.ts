import { ErrorCode } from '../../protocol/errors.js';
import { credentialFromSaltedPassword, SCRAM_MAX_ITERATIONS, SCRAM_MECHANISMS, SCRAM_MIN_ITERATIONS, scramMechanismByCode } from '../../protocol/sasl/scram.js';
import type { AlterUserScramCredentialsRequest } from '../../protocol/messages/index.js';
import type { ScramCredentialTable } from '../security/credentials.js';
import { allowedOnCluster, Op } from '../authorize.js';
import { defineHandler } from '../handler.js';

type Change = { kind: 'delete'; name: string; mechanism: number } | { kind: 'upsert'; name: string; mechanism: number; iterations: number; salt: Buffer; saltedPassword: Buffer };

/** Kafka's checks, in its order; null when the change is acceptable. */
function problem(c: Change, table: ScramCredentialTable): [number, string] | null {
  if (c.name === '') return [ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty'];
  const m = scramMechanismByCode(c.mechanism);
  if (m === undefined) return [ErrorCode.UNSUPPORTED_SASL_MECHANISM, `Unknown SCRAM mechanism ${c.mechanism}`];
  if (c.kind === 'delete') return table.get(c.name, m) === undefined ? [ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist'] : null;
  if (c.iterations < SCRAM_MIN_ITERATIONS) return [ErrorCode.UNACCEPTABLE_CREDENTIAL, `Too few iterations (minimum ${SCRAM_MIN_ITERATIONS})`];
  if (c.iterations > SCRAM_MAX_ITERATIONS) return [ErrorCode.UNACCEPTABLE_CREDENTIAL, `Too many iterations (maximum ${SCRAM_MAX_ITERATIONS})`];
  if (c.saltedPassword.length !== SCRAM_MECHANISMS[m].bytes || c.salt.length === 0) return [ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Salt or salted password of the wrong size'];
  return null;
}

/**
 * AlterUserScramCredentials v0 (KIP-554): clients send the salt and the salted password (never the
 * password); we keep the stored and server keys derived from them, in the data directory. A user
 * named in two changes of one request gets DUPLICATE_RESOURCE, as in Kafka; each user's changes
 * apply together or not at all. Needs ALTER on the cluster (CLUSTER_AUTHORIZATION_FAILED for every user).
 */
export const alterUserScramCredentialsHandler = defineHandler({
  apiKey: 51,
  minVersion: 0,
  maxVersion: 0,
  handle(rctx, request: AlterUserScramCredentialsRequest) {
    const changes: Change[] = [
      ...request.deletions.map((d) => ({ kind: 'delete' as const, ...d })),
      ...request.upsertions.map((u) => ({ kind: 'upsert' as const, ...u })),
    ];
    const byUser = new Map<string, Change[]>();
    for (const c of changes) byUser.set(c.name, [...(byUser.get(c.name) ?? []), c]);
    const results: Array<{ user: string; errorCode: number; errorMessage: string | null }> = [];
    if (!allowedOnCluster(rctx, Op.ALTER)) {
      for (const user of byUser.keys()) results.push({ user, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Authorization failed.' });
      return { throttleTimeMs: 0, results };
    }
    rctx.broker.credentials.update((table) => {
      for (const [user, list] of byUser) {
        const mechanisms = list.map((c) => c.mechanism);
        if (new Set(mechanisms).size !== mechanisms.length) {
          results.push({ user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: 'A user credential cannot be altered twice in the same request' });
          continue;
        }
        const bad = list.map((c) => problem(c, table)).find((p) => p !== null);
        if (bad) {
          results.push({ user, errorCode: bad[0], errorMessage: bad[1] });
          continue;
        }
        for (const c of list) {
          const m = scramMechanismByCode(c.mechanism)!;
          if (c.kind === 'delete') table.delete(user, m);
          else table.set(user, m, credentialFromSaltedPassword(m, c.saltedPassword, c.salt, c.iterations));
        }
        results.push({ user, errorCode: ErrorCode.NONE, errorMessage: null });
      }
    });
    rctx.broker.log.info('SCRAM credentials altered', { principal: rctx.connection.principal, users: results.filter((r) => r.errorCode === 0).map((r) => r.user) });
    return { throttleTimeMs: 0, results };
  },
  errorResponse(request, errorCode) {
    const users = new Set([...request.deletions, ...request.upsertions].map((c) => c.name));
    return { throttleTimeMs: 0, results: [...users].map((user) => ({ user, errorCode, errorMessage: null })) };
  },
});
