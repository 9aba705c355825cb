import { timingSafeEqual } from 'node:crypto';
import { attributes, decodeSaslName, hash, hmac, ScramError, type ScramCredential, type ScramMechanism } from '../../protocol/sasl/scram.js';

/** Outcome of one SCRAM step on the server. */
export type ScramStep =
  | { kind: 'challenge'; message: Buffer }
  | { kind: 'done'; message: Buffer; user: string }
  | { kind: 'failed'; reason: 'unknown-user' | 'bad-proof' | 'malformed'; detail: string };

/**
 * The server side of one SCRAM exchange (RFC 5802): client-first → server-first, client-final →
 * server-final. Pure apart from hashing: the server nonce comes from `nonce`, credentials from
 * `lookup`. Channel binding is not supported (gs2 flag `n` or `y`), as in Kafka.
 */
export class ScramServerExchange {
  private state: 'first' | 'final' | 'ended' = 'first';
  private user = '';
  private credential: ScramCredential | null = null;
  private nonce = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private gs2Header = '';

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly lookup: (user: string) => ScramCredential | undefined,
    private readonly serverNonce: () => string,
  ) {}

  step(token: Buffer): ScramStep {
    try {
      if (this.state === 'first') return this.clientFirst(token.toString('utf8'));
      if (this.state === 'final') return this.clientFinal(token.toString('utf8'));
      return this.fail('malformed', 'the SCRAM exchange is already over');
    } catch (err) {
      if (err instanceof ScramError) return this.fail('malformed', err.message);
      throw err;
    }
  }

  private fail(reason: 'unknown-user' | 'bad-proof' | 'malformed', detail: string): ScramStep {
    this.state = 'ended';
    return { kind: 'failed', reason, detail };
  }

  private clientFirst(text: string): ScramStep {
    const m = /^([ny]|p=[^,]*),(a=[^,]*)?,(.*)$/s.exec(text);
    if (m === null) throw new ScramError('client-first message without a gs2 header');
    if (m[1]!.startsWith('p=')) throw new ScramError('channel binding is not supported');
    this.gs2Header = `${m[1]},${m[2] ?? ''},`;
    this.clientFirstBare = m[3]!;
    const attrs = attributes(this.clientFirstBare);
    const user = decodeSaslName(attrs.get('n') ?? '');
    const clientNonce = attrs.get('r');
    if (user === null || user === '' || clientNonce === undefined || clientNonce === '') throw new ScramError('client-first message needs n= and r=');
    const authzid = m[2] === undefined ? '' : decodeSaslName(m[2].slice(2));
    if (authzid !== '' && authzid !== user) throw new ScramError('authorization id must be empty or the user name');
    this.user = user;
    this.credential = this.lookup(user) ?? null;
    if (this.credential === null) return this.fail('unknown-user', `no ${this.mechanism} credential for user ${user}`);
    this.nonce = clientNonce + this.serverNonce();
    this.serverFirst = `r=${this.nonce},s=${this.credential.salt.toString('base64')},i=${this.credential.iterations}`;
    this.state = 'final';
    return { kind: 'challenge', message: Buffer.from(this.serverFirst, 'utf8') };
  }

  private clientFinal(text: string): ScramStep {
    const proofAt = text.lastIndexOf(',p=');
    if (proofAt < 0) throw new ScramError('client-final message without a proof');
    const withoutProof = text.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    if (attrs.get('c') !== Buffer.from(this.gs2Header, 'utf8').toString('base64')) throw new ScramError('channel binding data does not match the gs2 header');
    // Kafka checks that the echoed nonce ends with the one it sent, not equality: librdkafka (2.0)
    // echoes the client nonce followed by the whole server nonce, and Kafka accepts that.
    if (!(attrs.get('r') ?? '').endsWith(this.nonce)) throw new ScramError('nonce does not match');
    const m = this.mechanism;
    const credential = this.credential!;
    const proof = Buffer.from(text.slice(proofAt + 3), 'base64');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(m, credential.storedKey, authMessage);
    if (proof.length !== clientSignature.length) return this.fail('bad-proof', 'proof of the wrong length');
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    if (!timingSafeEqual(hash(m, clientKey), credential.storedKey)) return this.fail('bad-proof', `wrong password for user ${this.user}`);
    this.state = 'ended';
    const serverSignature = hmac(m, credential.serverKey, authMessage);
    return { kind: 'done', message: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'), user: this.user };
  }
}

