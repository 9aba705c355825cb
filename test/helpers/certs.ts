import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from './temp-dir.js';

export interface TestCertificates {
  readonly dir: string;
  /** The CA that signed every certificate below. */
  readonly caFile: string;
  /** Broker key and certificate for 127.0.0.1 and localhost. */
  readonly serverKeyFile: string;
  readonly serverCertFile: string;
  /** A client certificate with subject `O=Samsa Test, CN=<clientName>`. */
  readonly clientKeyFile: string;
  readonly clientCertFile: string;
  /** Writes a fresh server certificate (new key) over the server files, as a renewal would. */
  renewServerCertificate(commonName: string): void;
  remove(): Promise<void>;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function signed(dir: string, name: string, subject: string, extensions: string): void {
  openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-sha256', '-extfile', `${name}.ext`);
}

/**
 * Throwaway test certificates made with Debian's openssl at test time (never committed): a CA, a
 * server certificate for the loopback address and a client certificate.
 */
export async function makeTestCertificates(clientName = 'alice'): Promise<TestCertificates> {
  const tmp = await makeTempDir('samsa-certs-');
  const dir = tmp.path;
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Samsa Test CA');
  const serverExt = 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n';
  signed(dir, 'server', '/O=Samsa Test/CN=samsa-broker', serverExt);
  signed(dir, 'client', `/O=Samsa Test/CN=${clientName}`, 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    serverKeyFile: join(dir, 'server.key'),
    serverCertFile: join(dir, 'server.crt'),
    clientKeyFile: join(dir, 'client.key'),
    clientCertFile: join(dir, 'client.crt'),
    renewServerCertificate(commonName: string) {
      signed(dir, 'server', `/O=Samsa Test/CN=${commonName}`, serverExt);
    },
    remove: () => tmp.remove(),
  };
}
