/** Why a new connection was refused. */
export type ConnectionRefusal = 'max-connections' | 'max-connections-per-ip';

export interface ConnectionLimitsOptions {
  /** `max.connections`: open connections across every listener. */
  maxConnections: number;
  /** `max.connections.per.ip`. */
  maxConnectionsPerIp: number;
  /** `max.connections.per.ip.overrides`: per-address limits that replace `maxConnectionsPerIp`. */
  perIpOverrides: ReadonlyMap<string, number>;
}

/**
 * Counts open connections in total and per client address, and says whether one more may open.
 * Kafka's names and defaults (both limits 2147483647). Addresses are compared after removing the
 * IPv4-mapped IPv6 prefix, so `::ffff:127.0.0.1` and `127.0.0.1` are one client.
 */
export class ConnectionLimits {
  private total = 0;
  private readonly perIp = new Map<string, number>();

  constructor(private readonly o: ConnectionLimitsOptions) {}

  get openCount(): number {
    return this.total;
  }

  /** Counts the connection and returns null when it may open; otherwise why not (nothing counted). */
  tryOpen(address: string): ConnectionRefusal | null {
    const ip = normaliseAddress(address);
    const open = this.perIp.get(ip) ?? 0;
    if (open >= (this.o.perIpOverrides.get(ip) ?? this.o.maxConnectionsPerIp)) return 'max-connections-per-ip';
    if (this.total >= this.o.maxConnections) return 'max-connections';
    this.perIp.set(ip, open + 1);
    this.total++;
    return null;
  }

  /** A connection counted by `tryOpen` closed. */
  closed(address: string): void {
    const ip = normaliseAddress(address);
    const open = this.perIp.get(ip) ?? 0;
    if (open <= 1) this.perIp.delete(ip);
    else this.perIp.set(ip, open - 1);
    this.total--;
  }
}

export function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * Parses `max.connections.per.ip.overrides`: `address:limit` pairs separated by commas, e.g.
 * `127.0.0.1:200,::1:200` (the limit follows the last colon, so IPv6 addresses need no brackets).
 * Host names are not resolved: overrides name addresses.
 */
export function parsePerIpOverrides(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const colon = entry.lastIndexOf(':');
    const address = entry.slice(0, colon).trim().replace(/^\[(.*)\]$/, '$1');
    const limit = Number(entry.slice(colon + 1));
    if (colon <= 0 || address === '' || !Number.isSafeInteger(limit) || limit < 0) {
      throw new RangeError(`"${entry}" is not address:limit (e.g. 127.0.0.1:200)`);
    }
    out.set(normaliseAddress(address), limit);
  }
  return out;
}
