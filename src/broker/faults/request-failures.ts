/** A rule: the next `remaining` requests of one API (from one client, if given) fail with `errorCode`. */
export interface RequestFailureRule {
  readonly apiKey: number;
  readonly errorCode: number;
  readonly clientId?: string;
  remaining: number;
}

/** Pending "fail the next N requests" rules, consumed in the order they were added. */
export class RequestFailures {
  private readonly rules: RequestFailureRule[] = [];

  add(rule: RequestFailureRule): void {
    if (!Number.isInteger(rule.remaining) || rule.remaining < 1) throw new RangeError(`count must be a positive integer, got ${rule.remaining}`);
    this.rules.push(rule);
  }

  /** The error code this request must fail with (using up one of the rule's count), or null. */
  take(apiKey: number, clientId: string): number | null {
    if (this.rules.length === 0) return null;
    const i = this.rules.findIndex((r) => r.apiKey === apiKey && (r.clientId === undefined || r.clientId === clientId));
    if (i < 0) return null;
    const rule = this.rules[i]!;
    if (--rule.remaining === 0) this.rules.splice(i, 1);
    return rule.errorCode;
  }

  /** Failures still to come for the API (all APIs when omitted). */
  pending(apiKey?: number): number {
    return this.rules.filter((r) => apiKey === undefined || r.apiKey === apiKey).reduce((n, r) => n + r.remaining, 0);
  }

  clear(): void {
    this.rules.length = 0;
  }
}
