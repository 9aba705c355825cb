import type { SeenMember } from './member-selector.js';

/** API keys whose requests name a group member (and carry the client's id in their header). */
export const MEMBER_APIS = { offsetCommit: 8, joinGroup: 11, heartbeat: 12, leaveGroup: 13, syncGroup: 14, consumerGroupHeartbeat: 68 } as const;

interface MemberFields {
  groupId?: string;
  memberId?: string | null;
  groupInstanceId?: string | null;
  instanceId?: string | null;
}

/** The member a group request speaks for, when it names one (a first JoinGroup does not yet). */
export function memberOfRequest(apiKey: number, body: unknown, clientId: string): SeenMember | null {
  if (!Object.values(MEMBER_APIS).includes(apiKey as never)) return null;
  const b = body as MemberFields;
  if (b.groupId === undefined || b.memberId === undefined || b.memberId === null || b.memberId === '') return null;
  const groupInstanceId = apiKey === MEMBER_APIS.consumerGroupHeartbeat ? (b.instanceId ?? null) : (b.groupInstanceId ?? null);
  return { groupId: b.groupId, memberId: b.memberId, clientId, groupInstanceId };
}

/** The member id a JoinGroup or ConsumerGroupHeartbeat answer hands out. */
export function memberOfResponse(apiKey: number, request: unknown, response: unknown, clientId: string): SeenMember | null {
  if (apiKey !== MEMBER_APIS.joinGroup && apiKey !== MEMBER_APIS.consumerGroupHeartbeat) return null;
  const memberId = (response as { memberId?: string | null } | null)?.memberId;
  if (typeof memberId !== 'string' || memberId === '') return null;
  const b = request as MemberFields;
  const groupInstanceId = apiKey === MEMBER_APIS.consumerGroupHeartbeat ? (b.instanceId ?? null) : (b.groupInstanceId ?? null);
  return { groupId: b.groupId ?? '', memberId, clientId, groupInstanceId };
}

/**
 * Every member the broker has heard from, with the connection it last spoke on. When the test
 * moves the group clock forward, a member whose connection has closed is not assumed to have
 * kept heartbeating: a client that crashed or was killed expires as it would in real time.
 */
export class SeenMembers {
  private readonly members = new Map<string, SeenMember & { connectionId: number }>();
  private readonly closedConnections = new Set<number>();

  saw(member: SeenMember, connectionId: number): void {
    this.members.set(key(member.groupId, member.memberId), { ...member, connectionId });
  }

  connectionClosed(connectionId: number): void {
    this.closedConnections.add(connectionId);
  }

  isClosed(connectionId: number): boolean {
    return this.closedConnections.has(connectionId);
  }

  get(groupId: string, memberId: string): SeenMember | undefined {
    return this.members.get(key(groupId, memberId));
  }

  /** Connected: its last group request came on a connection that is still open. */
  connected(groupId: string, memberId: string): boolean {
    const m = this.members.get(key(groupId, memberId));
    return m !== undefined && !this.closedConnections.has(m.connectionId);
  }
}

function key(groupId: string, memberId: string): string {
  return `${groupId}\u0000${memberId}`;
}
