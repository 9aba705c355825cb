/**
 * Kafka client properties files (`--command-config client.properties`), as Kafka's tools and
 * librdkafka read them: the security settings become our client's `ssl` and `sasl` options.
 */

export interface ClientSecurityProperties {
  bootstrapServers?: string;
  /** null: PLAINTEXT. */
  tls: { caFile?: string; certFile?: string; keyFile?: string; keyPassword?: string; verifyHostname: boolean } | null;
  sasl: { mechanism: string; username: string; password: string } | null;
}

/** Java properties syntax: `key=value` or `key: value`, `#`/`!` comments, `\` line continuations. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.replace(/\\\r?\n\s*/g, '').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m === null) out.set(line, '');
    else out.set(m[1]!, m[2]!);
  }
  return out;
}

/** `... LoginModule required username="alice" password="secret";` → its options. */
export function parseJaasConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/([A-Za-z_.]+)\s*=\s*"((?:[^"\\]|\\.)*)"/g)) out.set(m[1]!, m[2]!.replace(/\\(.)/g, '$1'));
  return out;
}

export function securityFromProperties(p: ReadonlyMap<string, string>): ClientSecurityProperties {
  const protocol = (p.get('security.protocol') ?? 'PLAINTEXT').toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) throw new Error(`security.protocol ${protocol} is not PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL`);
  let tls: ClientSecurityProperties['tls'] = null;
  if (protocol === 'SSL' || protocol === 'SASL_SSL') {
    for (const store of ['truststore', 'keystore']) {
      const type = p.get(`ssl.${store}.type`);
      if (p.has(`ssl.${store}.location`) && (type ?? 'JKS').toUpperCase() !== 'PEM') {
        throw new Error(`ssl.${store}.location: only PEM files are supported (set ssl.${store}.type=PEM, or use librdkafka's ssl.ca.location / ssl.certificate.location / ssl.key.location)`);
      }
    }
    const keystore = p.get('ssl.keystore.location');
    tls = {
      caFile: p.get('ssl.ca.location') ?? p.get('ssl.truststore.location'),
      certFile: p.get('ssl.certificate.location') ?? keystore,
      keyFile: p.get('ssl.key.location') ?? keystore,
      keyPassword: p.get('ssl.key.password'),
      verifyHostname: (p.get('ssl.endpoint.identification.algorithm') ?? 'https') !== '' && p.get('ssl.endpoint.identification.algorithm') !== 'none',
    };
  }
  let sasl: ClientSecurityProperties['sasl'] = null;
  if (protocol.startsWith('SASL_')) {
    const mechanism = (p.get('sasl.mechanism') ?? p.get('sasl.mechanisms') ?? 'GSSAPI').toUpperCase();
    if (!['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'].includes(mechanism)) throw new Error(`sasl.mechanism ${mechanism} is not supported (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)`);
    const jaas = parseJaasConfig(p.get('sasl.jaas.config') ?? '');
    const username = p.get('sasl.username') ?? jaas.get('username');
    const password = p.get('sasl.password') ?? jaas.get('password');
    if (username === undefined || password === undefined) throw new Error('SASL needs sasl.jaas.config with username and password (or sasl.username and sasl.password)');
    sasl = { mechanism, username, password };
  }
  const bootstrap = p.get('bootstrap.servers');
  return { ...(bootstrap !== undefined ? { bootstrapServers: bootstrap } : {}), tls, sasl };
}
