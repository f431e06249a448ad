/**
 * The running gateway (tnc-pep): reads pep.yaml, ipsec.conf and ipsec.secrets, and wires the
 * IKEv2 responder to its UDP sockets, the RADIUS relay, the virtual IP pools, the kernel layer and
 * the control socket. Nothing here speaks a protocol itself.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { loadPepConfigFile, type PepConfig } from '../config/pep-config.js';
import { loadIpsecConf } from '../config/conn-resolve.js';
import { findSharedSecret, readIpsecSecrets, type IpsecSecrets } from '../config/ipsec-secrets.js';
import { formatAddress, formatRange } from '../config/addresses.js';
import type { PeerConfig } from '../config/peer-config.js';
import { CryptoService } from '../crypto/crypto-service.js';
import { RadiusServerPool } from '../radius-relay/server-pool.js';
import { JsonFileLeaseStore, type LeaseStore } from '../pool/lease-store.js';
import { RedisLeaseStore } from '../pool/redis-lease-store.js';
import { PoolManager } from '../pool/pool-manager.js';
import { formatLeases, formatPoolStatus } from '../pool/pool-format.js';
import { IkeResponder, type LocalCredential } from '../responder/responder.js';
import { TrustStore } from '../responder/trust-store.js';
import { UdpTransport, type Endpoint } from './udp-transport.js';
import { ControlServer } from './control-socket.js';
import { formatSas, type IkeSaStatus } from './sa-status.js';
import { saStatus } from './status-view.js';
import { createChildInstaller, type Installer } from './child-installer.js';
import { loadCredentials } from './credentials.js';
import { RadiusSessions } from './radius-sessions.js';

export const CONTROL_SOCKET = 'tnc-pep.ctl';

export interface GatewayOptions {
  readonly configPath: string;
  /** Overrides for tests. */
  readonly logger?: Logger;
  readonly now?: () => number;
}

export function createPepLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid, svc: 'tnc-pep' },
      redact: { paths: ['secret', '*.secret', 'msk', '*.msk', 'key', '*.key', 'psk', '*.psk'], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ sync: true }),
  );
}

export class Gateway {
  readonly config: PepConfig;
  readonly peers: readonly PeerConfig[];
  readonly log: Logger;
  readonly responder: IkeResponder;
  readonly #secrets: IpsecSecrets;
  readonly #crypto: CryptoService;
  readonly #radius: RadiusServerPool | undefined;
  readonly #pools: PoolManager;
  #leaseStore: LeaseStore | undefined;
  readonly #transports: UdpTransport[] = [];
  readonly #control: ControlServer;
  readonly #installer: Installer | undefined;
  /** Accounting and RFC 5176 Dynamic Authorization (pep.yaml radius.accounting / radius.dae). */
  readonly #sessions: RadiusSessions;
  readonly #now: () => number;

  private constructor(init: {
    config: PepConfig;
    peers: readonly PeerConfig[];
    secrets: IpsecSecrets;
    log: Logger;
    pools: PoolManager;
    installer: Installer | undefined;
    credentials: Map<string, LocalCredential>;
    now: () => number;
  }) {
    this.config = init.config;
    this.peers = init.peers;
    this.log = init.log;
    this.#secrets = init.secrets;
    this.#pools = init.pools;
    this.#installer = init.installer;
    this.#now = init.now;
    this.#crypto = new CryptoService({ size: 2 });
    const servers = init.config.radius.servers;
    this.#radius = servers.length
      ? new RadiusServerPool({
          servers: servers.map((s) => ({ name: s.address, address: s.address, port: s.port, secret: s.secret.reveal().toString('utf8') })),
          timeoutMs: servers[0]!.timeoutMs,
          tries: servers[0]!.retransmits + 1,
          onServerDown: (s) => this.log.warn({ event: 'radius.server-down', server: s.address }, `RADIUS server '${s.address}' does not answer, failing over`),
        })
      : undefined;
    const secrets = init.secrets;
    this.#sessions = new RadiusSessions({ config: init.config, log: this.log, installer: init.installer, now: init.now });
    this.responder = new IkeResponder({
      configs: init.peers,
      crypto: this.#crypto,
      log: this.log,
      send: (packet, local, remote, natt) => this.#send(packet, local, remote, natt),
      psk: (local, remote) => findSharedSecret(secrets, 'PSK', local, remote)?.reveal(),
      credential: (peer) => init.credentials.get(peer.name),
      // CA certificates that initiators with rightauth=pubkey must chain to (strongSwan: ipsec.d/cacerts).
      // No cacerts directory is normal for PSK/EAP-only gateways: only unreadable entries warn.
      trustAnchors: TrustStore.fromDirectory(join(init.config.ipsecDir, 'cacerts'), (file, reason) => {
        if (reason !== 'ENOENT') this.log.warn({ event: 'pep.cacert-skipped', file, reason }, `ignoring ${file} in ipsec.d/cacerts: ${reason}`);
      }),
      ...(this.#radius ? { radius: this.#radius } : {}),
      radiusOptions: { filterId: init.config.radius.filterId, ...(init.config.radius.nasIdentifier ? { nasIdentifier: init.config.radius.nasIdentifier } : {}) },
      vips: {
        acquire: (peer, identity, requested) => this.#pools.acquire(peer, identity, { family: 4, ...(requested ? { address: requested } : {}) }),
        release: async (pool, address) => void (await this.#pools.release({ pool, address })),
      },
      ...(this.#installer ? { installer: this.#installer } : {}),
      dns: init.config.attributes.dns.map((a) => formatAddress(a)),
      splitInclude: init.config.attributes.splitInclude.map((r) => formatRange(r)),
      cookieThreshold: init.config.cookieThreshold,
      maxHalfOpen: init.config.maxHalfOpen,
      now: init.now,
      onEvent: (e) => this.#sessions.onEvent(e),
    });
    this.#sessions.attach(this.responder);
    this.#control = new ControlServer(join(init.config.stateDir, CONTROL_SOCKET), (req) => this.#command(req.command));
  }

  static async open(o: GatewayOptions): Promise<Gateway> {
    const config = loadPepConfigFile(o.configPath);
    const log = o.logger ?? createPepLogger(config.log.level);
    const conf = loadIpsecConf(config.ipsecConf, { ipsecDir: config.ipsecDir });
    for (const w of conf.warnings) log.warn({ event: 'config.warning', file: w.file, line: w.line, key: w.key }, `${w.file}:${w.line}: ${w.key}: ${w.message}`);
    const secrets = readIpsecSecrets(config.ipsecSecrets, { ipsecDir: config.ipsecDir });
    mkdirSync(config.stateDir, { recursive: true });
    const now = o.now ?? Date.now;
    const leaseStore = await openLeaseStore(config);
    const pools = await PoolManager.open({ pools: config.pools, store: leaseStore, clock: now });
    pools.validate(conf.peers);
    const credentials = loadCredentials(conf.peers, secrets, log);
    const installer = await createChildInstaller(config.kernel, log, { xfrmIfId: config.xfrmIfId });
    const gw = new Gateway({ config, peers: conf.peers, secrets, log, pools, installer, credentials, now });
    gw.#leaseStore = leaseStore;
    log.info({ event: 'config.loaded', conns: conf.peers.map((p) => p.name) }, `loaded ${conf.peers.length} peer configs: ${conf.peers.map((p) => p.name).join(', ')}`);
    return gw;
  }

  async start(): Promise<void> {
    for (const l of this.config.listen) {
      const t = new UdpTransport({
        address: l.address,
        ikePort: l.ports[0] ?? 500,
        nattPort: l.ports[1] ?? 4500,
        onIke: (m) => void this.responder.receive(m.data, m.local, m.remote, m.natt).catch((e: Error) => this.log.error({ event: 'ike.crash', error: e.message, stack: e.stack }, `IKE processing failed: ${e.message}`)),
        onEsp: (data, remote) => this.#installer?.onEsp?.(data, remote),
      });
      const bound = await t.listen();
      this.#transports.push(t);
      this.log.info({ event: 'listening', address: bound.ike.address, ports: [bound.ike.port, bound.natt.port] }, `listening on ${bound.ike.address}[${bound.ike.port}] and [${bound.natt.port}]`);
    }
    this.#installer?.setSender?.((packet, port, address) => {
      const t = this.#transports[0];
      t?.sendEsp(packet, { address, port });
    });
    await this.#control.listen();
    await this.#sessions.start();
    this.responder.start();
  }

  async stop(): Promise<void> {
    await this.responder.stop();
    await this.#sessions.close();
    await this.#control.close();
    for (const t of this.#transports) await t.close();
    this.#radius?.close();
    await this.#installer?.close();
    await this.#crypto.close();
    await (this.#leaseStore as { close?: () => Promise<void> } | undefined)?.close?.();
  }

  #send(packet: Buffer, local: Endpoint, remote: Endpoint, natt: boolean): void {
    const t = this.#transports.find((x) => x.local?.ike.address === local.address) ?? this.#transports[0];
    t?.sendIke(packet, remote, natt);
  }

  async status(): Promise<IkeSaStatus[]> {
    return Promise.all(this.responder.list().map((sa) => saStatus(sa, this.#installer)));
  }

  async #command(command: string) {
    switch (command) {
      case 'status': {
        const sas = await this.status();
        return { ok: true, text: formatSas(sas, this.#now()), data: sas };
      }
      case 'leases': {
        const leases = this.#pools.leases();
        return { ok: true, text: formatLeases(leases), data: leases };
      }
      case 'pool-status': {
        const pools = this.#pools.status();
        return { ok: true, text: formatPoolStatus(pools), data: pools };
      }
      default:
        return { ok: false, error: `unknown command '${command}'` };
    }
  }
}

/** The persistent pools' lease store: a JSON file under stateDir, or Redis (shared with the PDP's store). */
async function openLeaseStore(config: PepConfig): Promise<LeaseStore> {
  if (config.leases.backend === 'file') return new JsonFileLeaseStore(config.stateDir);
  const { password, ...redis } = config.leases.redis;
  return RedisLeaseStore.open({ ...redis, ...(password ? { password: password.reveal().toString('utf8') } : {}) });
}
