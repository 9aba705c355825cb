import { readFileSync } from 'node:fs';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, type SecureContextOptions, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from '../common/logger.js';
import type { TlsFileOptions } from './config.js';
import { isLoopback, isTls, principalFromSubject, type AdvertisedEndpoint, type ListenerEndpoint, type ListenerSpec, type SecurityProtocol } from './security/listeners.js';

/** Reads a TLS listener's PEM files. Throws with the file at fault. */
export function loadTlsContext(files: TlsFileOptions): SecureContextOptions {
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`cannot read the TLS ${what} ${path}: ${(err as Error).message}`);
    }
  };
  const options: SecureContextOptions = { key: read(files.keyFile, 'key'), cert: read(files.certFile, 'certificate') };
  if (files.keyPassword !== undefined) options.passphrase = files.keyPassword;
  if (files.caFile !== undefined) options.ca = read(files.caFile, 'CA file');
  // Fails here, with a message, on a key that does not match or cannot be decrypted.
  createSecureContext(options);
  return options;
}

/** The principal Kafka gives a connection before SASL: the client certificate's subject, else ANONYMOUS. */
function transportPrincipal(socket: Socket, securityProtocol: SecurityProtocol): string {
  if (securityProtocol !== 'SSL') return 'User:ANONYMOUS';
  const cert = (socket as TLSSocket).getPeerX509Certificate?.();
  return cert !== undefined && (socket as TLSSocket).authorized ? `User:${principalFromSubject(cert.subject)}` : 'User:ANONYMOUS';
}

export interface ListenerHooks {
  /** A TCP connection arrived: return false to close it at once (connection limits). */
  admit(socket: Socket): boolean;
  /** The connection is ready for Kafka requests (after the TLS handshake on TLS listeners). */
  ready(socket: Socket, listener: ListenerEndpoint, transportPrincipal: string): void;
}

/** One bound listener: a TCP or TLS server speaking the Kafka protocol. */
export class ListenerServer implements ListenerEndpoint {
  readonly name: string;
  readonly securityProtocol: SecurityProtocol;
  readonly host: string;
  private boundPort = 0;

  private constructor(
    spec: ListenerSpec,
    private readonly advertised: AdvertisedEndpoint,
    private readonly server: NetServer | TlsServer,
  ) {
    this.name = spec.name;
    this.securityProtocol = spec.securityProtocol;
    this.host = spec.host;
  }

  get port(): number {
    return this.boundPort;
  }

  get advertisedHost(): string {
    return this.advertised.host;
  }

  get advertisedPort(): number {
    return this.advertised.port === 0 ? this.boundPort : this.advertised.port;
  }

  /** `NAME://host:port` as bound. */
  toString(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `${this.name}://${host}:${this.boundPort}`;
  }

  static async open(spec: ListenerSpec, advertised: AdvertisedEndpoint, tls: { files: TlsFileOptions; context: SecureContextOptions } | null, hooks: ListenerHooks, log: Logger): Promise<ListenerServer> {
    let server: NetServer | TlsServer;
    let listener: ListenerServer;
    if (isTls(spec.securityProtocol)) {
      const clientAuth = tls!.files.clientAuth ?? 'none';
      server = createTlsServer({
        ...tls!.context,
        requestCert: clientAuth !== 'none',
        // 'requested': a certificate that does not verify is refused by the handshake only when required.
        rejectUnauthorized: clientAuth === 'required',
        handshakeTimeout: 10_000,
      });
      server.on('connection', (socket: Socket) => {
        if (!hooks.admit(socket)) socket.destroy();
      });
      server.on('secureConnection', (socket: TLSSocket) => hooks.ready(socket, listener, transportPrincipal(socket, spec.securityProtocol)));
      server.on('tlsClientError', (err, socket) => {
        log.info('TLS handshake failed', { listener: spec.name, remote: `${socket.remoteAddress}:${socket.remotePort}`, error: err.message });
      });
    } else {
      server = createNetServer((socket) => {
        if (!hooks.admit(socket)) {
          socket.destroy();
          return;
        }
        hooks.ready(socket, listener, 'User:ANONYMOUS');
      });
    }
    listener = new ListenerServer(spec, advertised, server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(spec.port, spec.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    listener.boundPort = typeof address === 'object' && address !== null ? address.port : spec.port;
    return listener;
  }

  /** Puts new TLS files in force for connections made from now on. */
  setTlsContext(context: SecureContextOptions): void {
    if ('setSecureContext' in this.server) this.server.setSecureContext(context);
  }

  /** True when anyone who can reach this address may connect without authenticating. */
  get exposedWithoutAuthentication(): boolean {
    return this.securityProtocol === 'PLAINTEXT' && !isLoopback(this.host);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
