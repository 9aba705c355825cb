import { isScramMechanism, type ScramCredential, type ScramMechanism } from '../../protocol/sasl/scram.js';

/** One user's mechanisms, as DescribeUserScramCredentials and `samsa users list` show them. */
export interface UserCredentialInfo {
  readonly user: string;
  readonly mechanisms: ReadonlyArray<{ mechanism: ScramMechanism; iterations: number }>;
}

/** The JSON layout of the credentials file (salt and keys in base64; never a password). */
interface CredentialFileJson {
  version: 1;
  users: Record<string, Partial<Record<ScramMechanism, { salt: string; iterations: number; storedKey: string; serverKey: string }>>>;
}

/**
 * SCRAM credentials by user and mechanism (Kafka keeps the same per user in its metadata). Only
 * salted, hashed keys are kept: the stored key checks proofs (and PLAIN passwords), the server key
 * signs the server's final message.
 */
export class ScramCredentialTable {
  private readonly users = new Map<string, Map<ScramMechanism, ScramCredential>>();

  get(user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.users.get(user)?.get(mechanism);
  }

  /** Any credential of the user (PLAIN checks a password against whichever exists). */
  any(user: string): { mechanism: ScramMechanism; credential: ScramCredential } | undefined {
    const byMechanism = this.users.get(user);
    if (byMechanism === undefined) return undefined;
    for (const [mechanism, credential] of byMechanism) return { mechanism, credential };
    return undefined;
  }

  has(user: string): boolean {
    return this.users.has(user);
  }

  set(user: string, mechanism: ScramMechanism, credential: ScramCredential): void {
    let byMechanism = this.users.get(user);
    if (byMechanism === undefined) this.users.set(user, (byMechanism = new Map()));
    byMechanism.set(mechanism, credential);
  }

  /** Removes one mechanism (or all when omitted); returns false when there was nothing to remove. */
  delete(user: string, mechanism?: ScramMechanism): boolean {
    const byMechanism = this.users.get(user);
    if (byMechanism === undefined) return false;
    if (mechanism === undefined) return this.users.delete(user);
    const removed = byMechanism.delete(mechanism);
    if (byMechanism.size === 0) this.users.delete(user);
    return removed;
  }

  /** Users sorted by name, each with its mechanisms. */
  list(): UserCredentialInfo[] {
    return [...this.users.keys()].sort().map((user) => this.describe(user)!);
  }

  describe(user: string): UserCredentialInfo | undefined {
    const byMechanism = this.users.get(user);
    if (byMechanism === undefined) return undefined;
    return { user, mechanisms: [...byMechanism].sort(([a], [b]) => a.localeCompare(b)).map(([mechanism, c]) => ({ mechanism, iterations: c.iterations })) };
  }

  toJSON(): CredentialFileJson {
    const users: CredentialFileJson['users'] = {};
    for (const [user, byMechanism] of [...this.users].sort(([a], [b]) => a.localeCompare(b))) {
      users[user] = {};
      for (const [m, c] of byMechanism) {
        users[user]![m] = { salt: c.salt.toString('base64'), iterations: c.iterations, storedKey: c.storedKey.toString('base64'), serverKey: c.serverKey.toString('base64') };
      }
    }
    return { version: 1, users };
  }

  /** Reads the file layout; throws with what is wrong. */
  static fromJSON(json: unknown): ScramCredentialTable {
    const table = new ScramCredentialTable();
    const o = json as Partial<CredentialFileJson>;
    if (o === null || typeof o !== 'object' || o.version !== 1 || typeof o.users !== 'object' || o.users === null) throw new Error('not a Samsa credentials file (version 1)');
    for (const [user, byMechanism] of Object.entries(o.users)) {
      for (const [m, c] of Object.entries(byMechanism ?? {})) {
        if (!isScramMechanism(m) || c === undefined || !Number.isInteger(c.iterations)) throw new Error(`bad credential for user ${user}, mechanism ${m}`);
        table.set(user, m, { salt: Buffer.from(c.salt, 'base64'), iterations: c.iterations, storedKey: Buffer.from(c.storedKey, 'base64'), serverKey: Buffer.from(c.serverKey, 'base64') });
      }
    }
    return table;
  }
}
