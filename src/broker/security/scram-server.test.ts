import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeScramCredential, passwordMatches, ScramClientExchange, type ScramCredential, type ScramMechanism } from '../../protocol/sasl/scram.js';
import { ScramServerExchange } from './scram-server.js';

const salt = Buffer.from('0123456789abcdef');
const users = new Map<string, ScramCredential>([['alice', makeScramCredential('SCRAM-SHA-256', 'wonderland', salt)]]);

function exchange(m: ScramMechanism, creds: Map<string, ScramCredential>, user: string, password: string) {
  const server = new ScramServerExchange(m, (u) => creds.get(u), () => 'servernonce');
  const client = new ScramClientExchange(m, user, password, 'clientnonce');
  const first = server.step(client.first());
  if (first.kind !== 'challenge') return { first };
  const final = server.step(client.final(first.message));
  return { first, final, client };
}

test('a full SCRAM exchange authenticates, and each side proves it knows the credential', () => {
  for (const m of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    const creds = new Map([['bob,=x', makeScramCredential(m, 'pw', salt, 8192)]]);
    const { first, final, client } = exchange(m, creds, 'bob,=x', 'pw');
    assert.match(first.kind === 'challenge' ? first.message.toString() : '', /^r=clientnonceservernonce,s=MDEyMzQ1Njc4OWFiY2RlZg==,i=8192$/);
    assert.equal(final?.kind, 'done');
    if (final?.kind === 'done') {
      assert.equal(final.user, 'bob,=x', 'user names are unescaped');
      client!.verifyServerFinal(final.message);
    }
  }
});

test('a wrong password fails at the proof; an unknown user fails at the first message', () => {
  assert.deepEqual(exchange('SCRAM-SHA-256', users, 'alice', 'looking-glass').final, { kind: 'failed', reason: 'bad-proof', detail: 'wrong password for user alice' });
  assert.equal(exchange('SCRAM-SHA-256', users, 'mallory', 'x').first.kind, 'failed');
  // A SHA-256 credential does not serve SHA-512.
  assert.equal(exchange('SCRAM-SHA-512', new Map(), 'alice', 'wonderland').first.kind, 'failed');
});

test('malformed and replayed messages fail without throwing', () => {
  const server = () => new ScramServerExchange('SCRAM-SHA-256', (u) => users.get(u), () => 'sn');
  for (const bad of ['', 'n,,', 'p=tls-unique,,n=alice,r=x', 'n,,n=alice', 'n,a=bob,n=alice,r=x', 'n,,n=al=ice,r=x']) {
    assert.equal(server().step(Buffer.from(bad)).kind, 'failed', JSON.stringify(bad));
  }
  const s = server();
  assert.equal(s.step(Buffer.from('n,,n=alice,r=abc')).kind, 'challenge');
  assert.equal(s.step(Buffer.from('c=biws,r=abc,p=AAAA')).kind, 'failed', 'a nonce without the server part');
  assert.equal(s.step(Buffer.from('anything')).kind, 'failed', 'nothing after the end');
});

test('PLAIN checks a password against the stored SCRAM credential', () => {
  assert.ok(passwordMatches('SCRAM-SHA-256', users.get('alice')!, 'wonderland'));
  assert.ok(!passwordMatches('SCRAM-SHA-256', users.get('alice')!, 'Wonderland'));
});
