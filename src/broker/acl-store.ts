import { mkdirSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Authorizer, invalidBinding, type AclBinding, type AclBindingFilter, type AuthorizerOptions } from './security/authorizer.js';

/** Where a data directory keeps its ACLs. */
export function aclsPath(dataDir: string): string {
  return join(dataDir, 'security', 'acls.json');
}

const FILE_VERSION = 1;

/** Reads an ACL file; a missing file holds no ACLs. A damaged one stops the broker (it must not start with fewer rules than it had). */
export function readAclFile(path: string): AclBinding[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  let parsed: { version?: unknown; acls?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
  if (parsed.version !== FILE_VERSION || !Array.isArray(parsed.acls)) throw new Error(`${path}: not a version ${FILE_VERSION} ACL file`);
  return parsed.acls.map((raw, i) => {
    const b = raw as AclBinding;
    const problem = invalidBinding(b);
    if (problem !== null) throw new Error(`${path}: ACL ${i}: ${problem}`);
    return { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType };
  });
}

/** Writes the file atomically and durably: temporary file, fsync, rename, fsync of the directory. */
export function writeAclFile(path: string, bindings: readonly AclBinding[]): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify({ version: FILE_VERSION, acls: bindings }, null, 1)}\n`, { mode: 0o600 });
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/**
 * The broker's ACLs (present only when an authorizer is configured): the decisions of
 * `Authorizer`, and every change written to the data directory before it is acknowledged, so
 * that CreateAcls / DeleteAcls survive a restart. In memory mode nothing is written.
 */
export class AclStore {
  readonly authorizer: Authorizer;

  constructor(
    options: AuthorizerOptions,
    private readonly path: string | null,
  ) {
    this.authorizer = new Authorizer(options);
    if (path !== null) for (const b of readAclFile(path)) this.authorizer.add(b);
  }

  /** Adds bindings (already validated) and persists; on a write failure nothing is added. */
  add(bindings: readonly AclBinding[]): void {
    const before = this.authorizer.bindings;
    for (const b of bindings) this.authorizer.add(b);
    this.persist(before);
  }

  /** Removes what each filter matches (one list per filter, in order) and persists. */
  remove(filters: readonly AclBindingFilter[]): AclBinding[][] {
    const before = this.authorizer.bindings;
    const removed = filters.map((f) => this.authorizer.remove(f));
    this.persist(before);
    return removed;
  }

  private persist(before: readonly AclBinding[]): void {
    if (this.path === null) return;
    try {
      writeAclFile(this.path, this.authorizer.bindings);
    } catch (err) {
      // Keep memory and disk in agreement: the change did not happen.
      this.authorizer.remove({ resourceType: 1, resourceName: null, patternType: 1, principal: null, host: null, operation: 1, permissionType: 1 });
      for (const b of before) this.authorizer.add(b);
      throw err;
    }
  }
}
