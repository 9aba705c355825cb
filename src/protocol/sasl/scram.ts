import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

/**
 * SCRAM (RFC 5802, RFC 7677) computations shared by the broker (which checks proofs) and the client
 * (which makes them). Pure: hashing only.
 */

/** SCRAM mechanisms (RFC 5802, RFC 7677) with Kafka's codes as used by the UserScramCredentials APIs. */
export const SCRAM_MECHANISMS = {
  'SCRAM-SHA-256': { code: 1, hash: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { code: 2, hash: 'sha512', bytes: 64 },
} as const;

export type ScramMechanism = keyof typeof SCRAM_MECHANISMS;

/** Kafka's bounds on iterations (ScramMechanism: 4096 minimum; AlterUserScramCredentials refuses more than 16384). */
export const SCRAM_MIN_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 16384;

export function isScramMechanism(name: string): name is ScramMechanism {
  return Object.hasOwn(SCRAM_MECHANISMS, name);
}

export function scramMechanismByCode(code: number): ScramMechanism | undefined {
  return (Object.keys(SCRAM_MECHANISMS) as ScramMechanism[]).find((m) => SCRAM_MECHANISMS[m].code === code);
}

/** What the broker stores for one user and mechanism: never the password, nor the salted password. */
export interface ScramCredential {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

export const hmac = (m: ScramMechanism, key: Buffer, text: string | Buffer): Buffer => createHmac(SCRAM_MECHANISMS[m].hash, key).update(text).digest();
export const hash = (m: ScramMechanism, data: Buffer): Buffer => createHash(SCRAM_MECHANISMS[m].hash).update(data).digest();

/** Hi(password, salt, i) of RFC 5802: PBKDF2 with the mechanism's HMAC. */
export function saltPassword(m: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, SCRAM_MECHANISMS[m].bytes, SCRAM_MECHANISMS[m].hash);
}

/** The stored credential from a salted password (AlterUserScramCredentials sends exactly that). */
export function credentialFromSaltedPassword(m: ScramMechanism, saltedPassword: Buffer, salt: Buffer, iterations: number): ScramCredential {
  const clientKey = hmac(m, saltedPassword, 'Client Key');
  return { salt, iterations, storedKey: hash(m, clientKey), serverKey: hmac(m, saltedPassword, 'Server Key') };
}

export function makeScramCredential(m: ScramMechanism, password: string, salt: Buffer, iterations = SCRAM_MIN_ITERATIONS): ScramCredential {
  return credentialFromSaltedPassword(m, saltPassword(m, password, salt, iterations), salt, iterations);
}

/** True when `password` is the one the credential was made from (used by SASL/PLAIN). */
export function passwordMatches(m: ScramMechanism, credential: ScramCredential, password: string): boolean {
  const storedKey = hash(m, hmac(m, saltPassword(m, password, credential.salt, credential.iterations), 'Client Key'));
  return timingSafeEqual(storedKey, credential.storedKey);
}

/** RFC 5802 §5.1: `=2C` and `=3D` stand for `,` and `=` in user names; any other `=` is invalid. */
export function decodeSaslName(name: string): string | null {
  if (/=(?!2C|3D)/.test(name)) return null;
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

export function encodeSaslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** Parses `k=v,k=v` SCRAM attributes (values may contain `=`). */
export function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1) throw new ScramError(`invalid SCRAM attribute "${part.slice(0, 20)}"`);
    out.set(part[0]!, part.slice(2));
  }
  return out;
}

export class ScramError extends Error {}

/**
 * The client side, for our client and for tests: returns client-first, then computes client-final
 * from server-first and checks server-final.
 */
export class ScramClientExchange {
  private readonly clientFirstBare: string;
  private authMessage = '';
  private serverKey: Buffer | null = null;

  constructor(
    private readonly mechanism: ScramMechanism,
    user: string,
    private readonly password: string,
    private readonly clientNonce: string,
  ) {
    this.clientFirstBare = `n=${encodeSaslName(user)},r=${clientNonce}`;
  }

  first(): Buffer {
    return Buffer.from(`n,,${this.clientFirstBare}`, 'utf8');
  }

  final(serverFirst: Buffer): Buffer {
    const text = serverFirst.toString('utf8');
    const attrs = attributes(text);
    const nonce = attrs.get('r') ?? '';
    const salt = Buffer.from(attrs.get('s') ?? '', 'base64');
    const iterations = Number(attrs.get('i'));
    if (!nonce.startsWith(this.clientNonce) || nonce === this.clientNonce) throw new ScramError('server nonce does not extend ours');
    if (!Number.isInteger(iterations) || iterations < SCRAM_MIN_ITERATIONS) throw new ScramError(`server asks for ${attrs.get('i')} iterations`);
    const m = this.mechanism;
    const salted = saltPassword(m, this.password, salt, iterations);
    const clientKey = hmac(m, salted, 'Client Key');
    this.serverKey = hmac(m, salted, 'Server Key');
    const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${nonce}`;
    this.authMessage = `${this.clientFirstBare},${text},${withoutProof}`;
    const signature = hmac(m, hash(m, clientKey), this.authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ signature[i]!;
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  /** Checks the server's signature: proves the server knew the credential too. */
  verifyServerFinal(serverFinal: Buffer): void {
    const attrs = attributes(serverFinal.toString('utf8'));
    if (attrs.has('e')) throw new ScramError(`server refused: ${attrs.get('e')}`);
    const expected = hmac(this.mechanism, this.serverKey!, this.authMessage).toString('base64');
    if (attrs.get('v') !== expected) throw new ScramError('server signature does not match: the server does not know this credential');
  }
}
