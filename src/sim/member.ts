import type { CoordinatorApi, CoordinatorApis } from '../coordinator/index.js';

/** One partition a member believes it owns. */
export interface SimPartition {
  readonly topic: string;
  readonly partition: number;
}

/** What a member believes it owns, from the assignment of one generation. */
export interface OwnershipClaim {
  readonly memberId: string;
  readonly generationId: number;
  readonly partitions: readonly SimPartition[];
}

/** How a simulated member talks to the coordinator: over the simulated network. */
export interface SimMemberPort {
  /**
   * Sends a request; returns its id. The answer comes back through `receive` (or never).
   * Requests on one connection arrive in order; another connection may overtake it.
   */
  send<A extends CoordinatorApi>(api: A, apiVersion: number, body: CoordinatorApis[A]['request'], options?: { connection?: string }): number;
  /** A line in the run's trace (printed when a run fails). */
  trace(line: string): void;
}

/**
 * A simulated group member: the simulator's side of a client's group membership. The built-in
 * ClassicSimMember follows the classic client protocol; Samsa's own client membership state
 * machine can be plugged in through this same interface.
 */
export interface SimMember {
  readonly name: string;
  /** The process started (or restarted). */
  start(nowMs: number): void;
  /** The coordinator answered request `requestId`. */
  receive(requestId: number, response: unknown, nowMs: number): void;
  /** The connection carrying request `requestId` broke: no answer will come. */
  fail(requestId: number, nowMs: number): void;
  /** When the member next needs to act on its own (heartbeat, commit, timeout); null for never. */
  nextWakeMs(): number | null;
  wake(nowMs: number): void;
  /**
   * The process comes back from a stall. A consumer stuck in its handler typically finishes the
   * batch and commits before it looks at anything the coordinator said meanwhile.
   */
  resume?(nowMs: number): void;
  /** A clean close (the member leaves the group itself); without it the simulator sends LeaveGroup. */
  close?(nowMs: number): void;
  /** What it owns now, or null. */
  claim(): OwnershipClaim | null;
  /** True once the member stopped for good (fenced, fatal error, closed). */
  readonly stopped: boolean;
}
