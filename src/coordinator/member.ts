export interface MemberProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

/** A JoinGroup or SyncGroup waiting for the group to move on. */
export interface ParkedRequest {
  readonly requestId: number;
  readonly apiVersion: number;
}

export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

/** One member of a classic group (Kafka's ClassicGroupMember). */
export class ClassicGroupMember {
  /** The JoinGroup parked until the join phase completes, if any. */
  awaitingJoin: ParkedRequest | null = null;
  /** The SyncGroup parked until the leader's assignment is stored, if any. */
  awaitingSync: ParkedRequest | null = null;
  /**
   * Set from the member's first JoinGroup until its first join phase completes: such a member
   * is removed by the new-member guard even while its JoinGroup is parked.
   */
  isNew = false;

  constructor(
    readonly memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    /** In the client's order of preference. */
    public protocols: readonly MemberProtocol[],
    public assignment: Buffer = EMPTY_BYTES,
  ) {}

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  /**
   * Members parked in JoinGroup or SyncGroup count as alive: they cannot heartbeat while they
   * wait. New members never do, so a client that vanished mid-join is eventually dropped.
   */
  hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return false;
    return this.awaitingJoin !== null || this.awaitingSync !== null;
  }

  /** Kafka compares names and metadata bytes, in order. */
  matches(protocols: readonly MemberProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata));
  }

  /** The member's metadata for a protocol it supports. */
  metadata(protocolName: string): Buffer {
    const protocol = this.protocols.find((p) => p.name === protocolName);
    if (protocol === undefined) throw new Error(`member ${this.memberId} does not support protocol ${protocolName}`);
    return protocol.metadata;
  }

  /** Its most preferred protocol among the candidates. */
  vote(candidates: ReadonlySet<string>): string {
    const protocol = this.protocols.find((p) => candidates.has(p.name));
    if (protocol === undefined) throw new Error(`member ${this.memberId} supports none of the candidate protocols`);
    return protocol.name;
  }
}

/**
 * JoinGroup protocols as the member keeps them: copies (request buffers are views into frames),
 * and a name listed twice counts once, so protocol votes stay one per member.
 */
export function copyProtocols(protocols: readonly { name: string; metadata: Uint8Array }[]): MemberProtocol[] {
  const seen = new Set<string>();
  const out: MemberProtocol[] = [];
  for (const p of protocols) {
    if (seen.has(p.name)) continue;
    seen.add(p.name);
    out.push({ name: p.name, metadata: Buffer.from(p.metadata) });
  }
  return out;
}
