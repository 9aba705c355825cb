import type { Clock } from '../../common/clock.js';
import { selects, type MemberSelector, type SeenMember } from './member-selector.js';

/** Dropped: held until the fault is lifted. Delayed: handled `delayMs` of group time after arrival. */
export type HeartbeatFault = { readonly kind: 'drop' } | { readonly kind: 'delay'; readonly delayMs: number };

export interface HeartbeatRule {
  readonly id: number;
  readonly selector: MemberSelector;
  readonly fault: HeartbeatFault;
}

interface Held {
  readonly ruleId: number;
  /** Group time at which a delayed heartbeat goes through (Infinity: dropped). */
  readonly dueAtMs: number;
  readonly release: () => void;
}

/**
 * Heartbeats (Heartbeat, ConsumerGroupHeartbeat) of the selected members are dropped or delayed.
 * A dropped heartbeat is not answered (like one lost on the network, the client's own request
 * timeout applies) and is handled when the fault is lifted; a delayed one is handled once the
 * group clock has moved `delayMs` past its arrival, in real time or by `advance`. Meanwhile the
 * coordinator hears nothing from the member, so its session runs out as it would.
 */
export class HeartbeatFaults {
  private rules: HeartbeatRule[] = [];
  private held: Held[] = [];
  private nextId = 1;

  constructor(private readonly clock: Clock) {}

  add(selector: MemberSelector, fault: HeartbeatFault): HeartbeatRule {
    if (fault.kind === 'delay' && (!Number.isFinite(fault.delayMs) || fault.delayMs < 0)) throw new RangeError(`delayMs must be >= 0, got ${fault.delayMs}`);
    const rule = { id: this.nextId++, selector: { ...selector }, fault };
    this.rules.push(rule);
    return rule;
  }

  /** Lifts rules (those matching `which`, or all): their held heartbeats are handled now. */
  remove(which?: (rule: HeartbeatRule) => boolean): number {
    const lifted = this.rules.filter((r) => which === undefined || which(r));
    if (lifted.length === 0) return 0;
    const ids = new Set(lifted.map((r) => r.id));
    this.rules = this.rules.filter((r) => !ids.has(r.id));
    this.releaseWhere((h) => ids.has(h.ruleId));
    return lifted.length;
  }

  /** The rule that applies to this member's heartbeat (the latest added wins), or null. */
  match(member: SeenMember): HeartbeatRule | null {
    for (let i = this.rules.length - 1; i >= 0; i--) if (selects(this.rules[i]!.selector, member)) return this.rules[i]!;
    return null;
  }

  /**
   * Holds the heartbeat; `proceed` hands it to the coordinator when it is let through (at once,
   * in the same turn, so a clock move hands due heartbeats over before the deadlines run).
   */
  hold(rule: HeartbeatRule, proceed: () => unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const dueAtMs = rule.fault.kind === 'delay' ? this.clock.nowMs() + rule.fault.delayMs : Infinity;
      let timer: NodeJS.Timeout | null = null;
      const entry: Held = {
        ruleId: rule.id,
        dueAtMs,
        release: () => {
          if (timer !== null) clearTimeout(timer);
          try {
            resolve(proceed());
          } catch (err) {
            reject(err);
          }
        },
      };
      this.held.push(entry);
      if (dueAtMs !== Infinity) {
        timer = setTimeout(() => this.releaseWhere((h) => h === entry), Math.max(0, dueAtMs - this.clock.nowMs()));
        timer.unref();
      }
    });
  }

  /** The group clock moved: delayed heartbeats now due go through. */
  clockMoved(): void {
    const nowMs = this.clock.nowMs();
    this.releaseWhere((h) => h.dueAtMs <= nowMs);
  }

  /** Heartbeats held right now. */
  get heldCount(): number {
    return this.held.length;
  }

  /** Lets every held heartbeat through (broker shutdown). */
  releaseAll(): void {
    this.releaseWhere(() => true);
  }

  private releaseWhere(which: (h: Held) => boolean): void {
    const going = this.held.filter(which);
    if (going.length === 0) return;
    this.held = this.held.filter((h) => !which(h));
    for (const h of going) h.release();
  }
}
