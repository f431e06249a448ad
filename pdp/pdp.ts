/**
 * The policy decision point: RADIUS transport + EAP service + access decisions + accounting,
 * composed from configuration. Sockets and logs live here; the layers below know neither.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { RadiusServer, type DropEvent, type ListenAddress } from '../radius/server.js';
import { PacketCode } from '../radius/index.js';
import { AccessHandler, type ConversationFinished } from './access-handler.js';
import { handleAccounting, MemoryAccountingRecorder, type AccountingRecorder, type AccountingRecord } from './accounting.js';
import type { PdpConfig } from './config/types.js';
import type { EapService } from './eap-service/eap-service.js';
import { createEapService } from './eap-service/create.js';
import { createPostureService, posturePolicyProvider } from './posture/module.js';
import { startPtTls } from './pt-tls/index.js';
import type { PtTlsServer } from './pt-tls/server.js';
import type { Logger } from './logging.js';
import { loadTlsIdentity, type TlsIdentity } from './pki/demo-pki.js';
import { ConfigUserDirectory } from './users.js';
import { EmbeddedStore } from './store/embedded-store.js';
import { newStoreChannelName, serveStore } from './store/remote-store.js';
import type { Store } from './store/store.js';

export interface PdpEvents {
  finished: [ConversationFinished];
  dropped: [DropEvent];
  accounting: [AccountingRecord];
}

export interface PdpOptions {
  readonly config: PdpConfig;
  readonly logger: Logger;
  readonly accounting?: AccountingRecorder;
  readonly now?: () => number;
}

export class Pdp extends EventEmitter<PdpEvents> {
  readonly #config: PdpConfig;
  readonly #log: Logger;
  #radius?: RadiusServer;
  #ptTls?: PtTlsServer | undefined;
  #eap?: EapService;
  #identity?: TlsIdentity;
  #store?: EmbeddedStore | undefined;
  #storeServer?: { close(): void } | undefined;
  readonly #dropLog = new Map<string, number>();

  constructor(readonly options: PdpOptions) {
    super();
    this.#config = options.config;
    this.#log = options.logger;
  }

  get tlsIdentity(): TlsIdentity | undefined {
    return this.#identity;
  }

  /** Devices, sessions and results (open while the PDP runs posture assessments). */
  get store(): Store | undefined {
    return this.#store;
  }

  async start(): Promise<{ auth: ListenAddress; accounting?: ListenAddress }> {
    const config = this.#config;
    const now = this.options.now ?? Date.now;
    this.#identity = await loadTlsIdentity(config);
    if (this.#identity.generated) {
      this.#log.info({ event: 'pki.generated', ca: this.#identity.files.ca, certificate: this.#identity.files.certificate, serverName: config.pki.serverName }, 'generated the demo CA and server certificate');
    }
    const users = new ConfigUserDirectory(config.users);
    // One store, owned here; EAP worker threads reach it over a channel (pdp/store/remote-store.ts).
    if (config.eap.tnc || config.ptTls) {
      this.#store = await EmbeddedStore.open({
        dir: join(config.stateDir, 'store'),
        maxSessions: config.store.maxSessions,
        maxDevices: config.store.maxDevices,
        snapshotEvery: config.store.snapshotEvery,
        onEvent: (e) => (e.type === 'store.snapshot' ? this.#log.debug({ ...e, event: e.type }, 'store snapshot') : this.#log.info({ ...e, event: e.type }, e.type)),
      });
    }
    const channel = this.#store ? newStoreChannelName() : undefined;
    if (this.#store && channel) this.#storeServer = serveStore(this.#store, channel);
    const onPostureEvent = (e: { type?: string }) => this.#log.debug({ ...e, event: e.type ?? 'posture.event' }, 'posture event');
    const posture = config.eap.tnc ? posturePolicyProvider(onPostureEvent, this.#store && channel ? { store: this.#store, channel } : undefined) : undefined;
    this.#eap = await createEapService(config, this.#identity, users, this.#log, posture);
    const access = new AccessHandler({ eap: this.#eap, users, now });
    const recorder = this.options.accounting ?? new MemoryAccountingRecorder();

    access.on('finished', (ev) => {
      this.#log.info({ event: 'conversation.finished', ...ev }, `${ev.method} ${ev.outcome} for '${ev.user}' from ${ev.client}${ev.group ? ` group ${ev.group}` : ''}${ev.reason ? `: ${ev.reason}` : ''}`);
      this.emit('finished', ev);
    });
    access.on('discarded', (ev) => this.#log.warn({ event: 'eap.discarded', ...ev }, `EAP request from ${ev.client} discarded: ${ev.reason}`));

    const radius = new RadiusServer({
      auth: config.radius.auth,
      ...(config.radius.accounting ? { accounting: config.radius.accounting } : {}),
      clients: config.radius.clients,
      duplicateWindowMs: config.radius.duplicateWindowSeconds * 1000,
      maxInFlight: config.radius.maxInFlight,
      now,
      handler: {
        access: (req) => access.access(req),
        accounting: (req) =>
          handleAccounting(req, { record: async (r) => { await recorder.record(r); this.#log.info({ event: 'accounting.recorded', ...r }, `accounting ${r.status} from ${r.client}`); this.emit('accounting', r); } }, now()),
      },
    });
    radius.on('dropped', (ev) => this.#dropped(ev));
    radius.on('listening', (ev) => this.#log.info({ event: 'radius.listening', ...ev }, `RADIUS ${ev.service} listening on ${ev.address}:${ev.port}/udp`));
    radius.on('replayed', (ev) => this.#log.debug({ event: 'radius.replayed', ...ev }, 'duplicate request answered from cache'));
    this.#radius = radius;
    const bound = await radius.listen();
    // PT-TLS (RFC 6876) runs the same posture policy for endpoints that connect directly.
    this.#ptTls = await startPtTls(config, this.#identity, createPostureService(config, { onEvent: onPostureEvent, ...(this.#store ? { store: this.#store } : {}) }), this.#log);
    if (config.demo) {
      this.#log.warn({ event: 'pdp.demo' }, 'running the embedded demo configuration: secret testing123 and the demo users are for loopback only; use --config for anything else');
      if (this.#ptTls) {
        this.#log.info(
          { event: 'pdp.demo-hint' },
          `assess this machine: npx tnc-client --pt-tls 127.0.0.1:${config.ptTls?.port ?? 271} --user carol --password Ar3etTnp --ca ${this.#identity.files.ca ?? 'var/pki/ca.crt'} --server-name ${config.pki.serverName}`,
        );
      }
    }
    return bound;
  }

  #dropped(ev: DropEvent): void {
    this.emit('dropped', ev);
    // One line per (reason, source) per second at most, so a flood cannot flood the log.
    const key = `${ev.reason}|${ev.address}`;
    const t = Date.now();
    if ((this.#dropLog.get(key) ?? 0) > t - 1000) return;
    if (this.#dropLog.size > 10_000) this.#dropLog.clear();
    this.#dropLog.set(key, t);
    const { error, ...rest } = ev;
    const codeName = ev.code !== undefined ? (Object.entries(PacketCode).find(([, v]) => v === ev.code)?.[0] ?? String(ev.code)) : undefined;
    this.#log.warn(
      { event: 'radius.dropped', ...rest, ...(error ? { err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) } : {}) },
      `dropped ${codeName ?? 'packet'} from ${ev.address}:${ev.port}${ev.client ? ` (client ${ev.client})` : ''}: ${ev.reason}${ev.reason === 'bad-message-authenticator' ? ' (wrong shared secret?)' : ''}${ev.detail ? ` - ${ev.detail}` : ''}`,
    );
  }

  async stop(): Promise<void> {
    await this.#radius?.close();
    await this.#ptTls?.close();
    await this.#eap?.close();
    this.#storeServer?.close();
    await this.#store?.close();
  }
}
