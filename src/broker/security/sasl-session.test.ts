import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../protocol/errors.js';
import { makeScramCredential, ScramClientExchange } from '../../protocol/sasl/scram.js';
import { ScramCredentialTable } from './credentials.js';
import { SaslSession } from './sasl-session.js';

const table = new ScramCredentialTable();
table.set('alice', 'SCRAM-SHA-512', makeScramCredential('SCRAM-SHA-512', 'secret', Buffer.from('salt-salt-salt')));
const session = (maxReauthMs = 0): SaslSession => new SaslSession({ mechanisms: ['PLAIN', 'SCRAM-SHA-512'], credentials: () => table, maxReauthMs, nonce: () => 'srv' });
const plain = (user: string, password: string, authzid = ''): Buffer => Buffer.from(`${authzid}\0${user}\0${password}`);

test('before authentication only ApiVersions and SaslHandshake are served, then only SaslAuthenticate', () => {
  const s = session();
  assert.equal(s.admit(18, 0), 'serve');
  assert.equal(s.admit(3, 0), 'close-not-authenticated');
  assert.equal(s.admit(36, 0), 'close-not-authenticated');
  assert.equal(s.handshake('PLAIN', 1).errorCode, ErrorCode.NONE);
  assert.equal(s.admit(36, 0), 'serve');
  assert.equal(s.admit(18, 0), 'close-not-authenticated');
  const ok = s.authenticate(plain('alice', 'secret'), 0, 2);
  assert.deepEqual([ok.errorCode, ok.authenticated, ok.close], [ErrorCode.NONE, true, false]);
  assert.equal(s.principal, 'User:alice');
  assert.equal(s.admit(3, 1e12), 'serve', 'no expiry without connections.max.reauth.ms');
});

test('PLAIN refuses wrong passwords, unknown users and a foreign authorization id with Kafka messages, and closes', () => {
  for (const [token, message] of [
    [plain('alice', 'nope'), 'Authentication failed: Invalid username or password'],
    [plain('mallory', 'secret'), 'Authentication failed: Invalid username or password'],
    [plain('alice', 'secret', 'admin'), 'Authentication failed: Client requested an authorization id that is different from username'],
    [Buffer.from('garbage'), 'Authentication failed: Invalid username or password'],
  ] as const) {
    const s = session();
    s.handshake('PLAIN', 1);
    const r = s.authenticate(token, 0, 1);
    assert.deepEqual([r.errorCode, r.errorMessage, r.close, s.principal], [ErrorCode.SASL_AUTHENTICATION_FAILED, message, true, null]);
  }
});

test('an unknown mechanism or a handshake out of order is refused and closes', () => {
  const s = session();
  assert.deepEqual(s.handshake('GSSAPI', 1), { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['PLAIN', 'SCRAM-SHA-512'], close: true });
  const t = session();
  t.handshake('PLAIN', 1);
  assert.equal(t.handshake('PLAIN', 1).errorCode, ErrorCode.ILLEGAL_SASL_STATE);
  assert.equal(session().authenticate(plain('alice', 'secret'), 0, 1).errorCode, ErrorCode.ILLEGAL_SASL_STATE);
});

test('KIP-368: the session lifetime is reported, the connection closes at expiry unless the same principal re-authenticates', () => {
  const s = session(60_000);
  s.handshake('SCRAM-SHA-512', 1);
  const client = new ScramClientExchange('SCRAM-SHA-512', 'alice', 'secret', 'cn');
  const first = s.authenticate(client.first(), 1000, 2);
  const done = s.authenticate(client.final(first.authBytes), 1000, 2);
  assert.deepEqual([done.errorCode, done.sessionLifetimeMs, done.authenticated], [ErrorCode.NONE, 60_000, true]);
  client.verifyServerFinal(done.authBytes);
  assert.equal(s.admit(0, 60_999), 'serve');
  assert.equal(s.admit(0, 61_000), 'close-session-expired');
  // Re-authentication (PLAIN is another mechanism: refused).
  assert.equal(s.handshake('PLAIN', 1).errorCode, ErrorCode.ILLEGAL_SASL_STATE);
  const again = session(60_000);
  again.handshake('PLAIN', 1);
  again.authenticate(plain('alice', 'secret'), 0, 1);
  assert.equal(again.handshake('PLAIN', 1).errorCode, ErrorCode.NONE);
  assert.equal(again.admit(0, 10), 'close-not-authenticated', 'mid re-authentication only the SASL APIs');
  const r = again.authenticate(plain('alice', 'secret'), 70_000, 1);
  assert.deepEqual([r.errorCode, r.sessionLifetimeMs], [ErrorCode.NONE, 60_000]);
  assert.equal(again.admit(0, 129_999), 'serve');
});
