/** Kafka's security protocols: what a listener speaks under the Kafka protocol. */
export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

export const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

export interface ListenerSpec {
  /** The listener's name (`PLAINTEXT`, `SSL`, ... or a custom name mapped to a protocol). */
  readonly name: string;
  readonly securityProtocol: SecurityProtocol;
  /** Interface to bind. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

export interface AdvertisedEndpoint {
  readonly host: string;
  /** 0 means "the port actually bound". */
  readonly port: number;
}

export const isTls = (p: SecurityProtocol): boolean => p === 'SSL' || p === 'SASL_SSL';
export const isSasl = (p: SecurityProtocol): boolean => p === 'SASL_PLAINTEXT' || p === 'SASL_SSL';

interface Endpoint {
  name: string;
  host: string;
  port: number;
}

/**
 * Parses Kafka's endpoint lists (`listeners`, `advertised.listeners`): `NAME://host:port`
 * separated by commas. An empty host binds every interface (as in Kafka); IPv6 addresses go in
 * brackets (`SSL://[::1]:9093`).
 */
function parseEndpoints(text: string, what: string): Endpoint[] {
  const out: Endpoint[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const m = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:/]*):(\d+)$/.exec(entry);
    if (m === null) throw new RangeError(`${what}: "${entry}" is not NAME://host:port`);
    const port = Number(m[3]);
    if (port > 65535) throw new RangeError(`${what}: port ${port} of "${entry}" is not 0-65535`);
    const name = m[1]!.toUpperCase();
    if (out.some((e) => e.name === name)) throw new RangeError(`${what}: listener name ${name} appears twice`);
    out.push({ name, host: m[2]!.replace(/^\[(.*)\]$/, '$1'), port });
  }
  if (out.length === 0) throw new RangeError(`${what}: no listener given`);
  return out;
}

/** Parses `listener.security.protocol.map`: `NAME:PROTOCOL,...`. */
export function parseSecurityProtocolMap(text: string): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const [name, protocol] = entry.split(':').map((s) => s.trim().toUpperCase());
    if (name === undefined || protocol === undefined || !(SECURITY_PROTOCOLS as string[]).includes(protocol)) {
      throw new RangeError(`listener security protocol map: "${entry}" is not NAME:PROTOCOL (PROTOCOL one of ${SECURITY_PROTOCOLS.join(', ')})`);
    }
    map.set(name, protocol as SecurityProtocol);
  }
  return map;
}

/**
 * Resolves `listeners` to bindable specs. A listener named after a security protocol speaks it;
 * any other name must be in the map (Kafka's rule).
 */
export function parseListeners(text: string, protocolMap: ReadonlyMap<string, SecurityProtocol> = new Map()): ListenerSpec[] {
  return parseEndpoints(text, 'listeners').map((e) => {
    const securityProtocol = protocolMap.get(e.name) ?? ((SECURITY_PROTOCOLS as string[]).includes(e.name) ? (e.name as SecurityProtocol) : undefined);
    if (securityProtocol === undefined) throw new RangeError(`listeners: ${e.name} is not a security protocol and is not in the listener security protocol map`);
    return { name: e.name, securityProtocol, host: e.host === '' ? '0.0.0.0' : e.host, port: e.port };
  });
}

/**
 * Resolves what each listener advertises. Listeners named in `advertised.listeners` advertise that
 * endpoint; the others advertise `defaultHost` (or their own host when it is not a wildcard) and
 * the port they bind. Naming a listener that does not exist is an error.
 */
export function resolveAdvertised(listeners: readonly ListenerSpec[], advertisedText: string | undefined, defaultHost: string | undefined): Map<string, AdvertisedEndpoint> {
  const explicit = new Map<string, AdvertisedEndpoint>();
  if (advertisedText !== undefined && advertisedText.trim() !== '') {
    for (const e of parseEndpoints(advertisedText, 'advertised listeners')) {
      if (!listeners.some((l) => l.name === e.name)) throw new RangeError(`advertised listeners: ${e.name} is not one of the listeners`);
      if (e.host === '') throw new RangeError(`advertised listeners: ${e.name} needs a host clients can reach`);
      explicit.set(e.name, { host: e.host, port: e.port });
    }
  }
  const out = new Map<string, AdvertisedEndpoint>();
  for (const l of listeners) {
    const wildcard = l.host === '0.0.0.0' || l.host === '::';
    out.set(l.name, explicit.get(l.name) ?? { host: defaultHost ?? (wildcard ? '127.0.0.1' : l.host), port: 0 });
  }
  return out;
}

/** True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Kafka's default principal for a TLS client certificate: the subject's distinguished name in
 * RFC 2253 order (most specific first, comma separated). Node gives the subject one attribute per
 * line in certificate order, which is the reverse.
 */
export function principalFromSubject(subject: string): string {
  return subject
    .split('\n')
    .filter((line) => line !== '')
    .reverse()
    .join(',');
}

/** A listener as a connection sees it: what it speaks and what it tells clients. */
export interface ListenerEndpoint {
  readonly name: string;
  readonly securityProtocol: SecurityProtocol;
  /** What Metadata, FindCoordinator and DescribeCluster return to clients of this listener. */
  readonly advertisedHost: string;
  readonly advertisedPort: number;
}
