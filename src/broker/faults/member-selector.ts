/**
 * Which group members a fault applies to. Every field given must match; an empty selector
 * matches every member. Tests usually know their consumers by `clientId` (or static
 * `groupInstanceId`); the member id is what the coordinator hands out.
 */
export interface MemberSelector {
  readonly groupId?: string;
  readonly memberId?: string;
  readonly clientId?: string;
  readonly groupInstanceId?: string;
}

/** What the seam knows of a member from the group requests it has seen. */
export interface SeenMember {
  readonly groupId: string;
  readonly memberId: string;
  readonly clientId: string;
  readonly groupInstanceId: string | null;
}

export function selects(selector: MemberSelector, m: SeenMember): boolean {
  return (
    (selector.groupId === undefined || selector.groupId === m.groupId) &&
    (selector.memberId === undefined || selector.memberId === m.memberId) &&
    (selector.clientId === undefined || selector.clientId === m.clientId) &&
    (selector.groupInstanceId === undefined || selector.groupInstanceId === m.groupInstanceId)
  );
}

export function describeSelector(selector: MemberSelector): string {
  const parts = Object.entries(selector).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length === 0 ? 'every member' : parts.join(' ');
}
