import type { HeartbeatResponse, JoinGroupResponse, LeaveGroupResponse, SyncGroupResponse } from '../../protocol/messages/index.js';
import { GroupMember } from './member.js';
import type { GroupAction, GroupAssignor, GroupMemberOptions, GroupRequest } from './types.js';

type BodyOf<A extends GroupRequest['api']> = Extract<GroupRequest, { api: A }>['body'];
export interface SentRequest<A extends GroupRequest['api']> {
  requestId: number;
  body: BodyOf<A>;
}

/**
 * A small driver for unit tests of GroupMember: it keeps virtual time, collects every action and
 * builds coordinator responses. Not used by production code (and pure like the rest of group/).
 */
export class MemberHarness {
  readonly member: GroupMember;
  nowMs = 0;
  readonly actions: GroupAction[] = [];

  constructor(options: Partial<GroupMemberOptions> & { assignors: readonly GroupAssignor[] }) {
    this.member = new GroupMember({
      groupId: 'g',
      sessionTimeoutMs: 45_000,
      rebalanceTimeoutMs: 300_000,
      heartbeatIntervalMs: 3_000,
      retryBackoffMs: 100,
      maxPollIntervalMs: 300_000,
      ...options,
    });
  }

  private take(actions: GroupAction[]): GroupAction[] {
    this.actions.push(...actions);
    return actions;
  }

  advance(ms: number): GroupAction[] {
    this.nowMs += ms;
    return this.take(this.member.tick(this.nowMs));
  }

  subscribe(topics: string[]): GroupAction[] {
    return this.take(this.member.subscribe(topics, this.nowMs));
  }

  found(nodeId = 1): GroupAction[] {
    return this.take(this.member.coordinatorFound(nodeId, this.nowMs));
  }

  reply(requestId: number, response: JoinGroupResponse | SyncGroupResponse | HeartbeatResponse | LeaveGroupResponse): GroupAction[] {
    return this.take(this.member.receive(requestId, response, this.nowMs));
  }

  metadata(requestId: number, counts: Record<string, number>): GroupAction[] {
    return this.take(this.member.leaderMetadata(requestId, new Map(Object.entries(counts)), this.nowMs));
  }

  done(token: number): GroupAction[] {
    return this.take(this.member.callbacksDone(token, this.nowMs));
  }

  poll(): GroupAction[] {
    return this.take(this.member.poll(this.nowMs));
  }

  /** The last `send` of an API among all actions so far. */
  lastSent<A extends GroupRequest['api']>(api: A): SentRequest<A> {
    for (let i = this.actions.length - 1; i >= 0; i--) {
      const a = this.actions[i]!;
      if (a.type === 'send' && a.request.api === api) return { requestId: a.requestId, body: a.request.body } as unknown as SentRequest<A>;
    }
    throw new Error(`no ${api} sent`);
  }

  sentCount(api: GroupRequest['api']): number {
    return this.actions.filter((a) => a.type === 'send' && a.request.api === api).length;
  }

  last<T extends GroupAction['type']>(type: T): Extract<GroupAction, { type: T }> {
    for (let i = this.actions.length - 1; i >= 0; i--) {
      const a = this.actions[i]!;
      if (a.type === type) return a as Extract<GroupAction, { type: T }>;
    }
    throw new Error(`no ${type} action`);
  }

  events(name: string): Array<Extract<GroupAction, { type: 'event' }>['event']> {
    return this.actions.flatMap((a) => (a.type === 'event' && a.event.name === name ? [a.event] : []));
  }
}

export function joinResponse(init: Partial<JoinGroupResponse> & { memberId: string }): JoinGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    generationId: 1,
    protocolType: 'consumer',
    protocolName: 'range',
    leader: '',
    skipAssignment: false,
    members: [],
    ...init,
  };
}

export function syncResponse(assignment: Buffer, errorCode = 0, protocolName: string | null = null): SyncGroupResponse {
  return { throttleTimeMs: 0, errorCode, protocolType: 'consumer', protocolName, assignment };
}

export function heartbeatResponse(errorCode = 0): HeartbeatResponse {
  return { throttleTimeMs: 0, errorCode };
}
