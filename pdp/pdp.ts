/**
 * The policy decision point: RADIUS transport + EAP service + access decisions + accounting,
 * composed from configuration. Sockets and logs live here; the layers below know neither.
 */
import { EventEmitter } from 'node:events';
import { RadiusServer, type DropEvent, type ListenAddress, type RadiusRequest } from '../radius/server.js';
import { ClusterNode, clusterAccessHandler, logClusterEvents } from './cluster/index.js';
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
import { ConfigUserDirectory, type UserDirectory } from './users.js';
import { StoreUserDirectory } from './store/store-user-directory.js';
import { openConfiguredStore } from './store/open-store.js';
import { newStoreChannelName, serveStore } from './store/remote-store.js';
import type { Store } from './store/store.js';
import type { RadiusClient } from '../radius/client-table.js';
import { startIfmap, type RunningIfmap } from './ifmap/index.js';
import { AdminServer } from './admin/server.js';
import { ifmapExport } from './admin/ifmap-export.js';
import { wireAdminEvents } from './admin/pdp-events.js';
import { ActiveSessionFeed } from './admin/active-session-feed.js';

/** How often users and RADIUS clients are read again in full (changes arrive by notification; this catches up missed ones). */
const STORE_REFRESH_MS = 5 * 60_000;

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
  #cluster?: ClusterNode | undefined;
  #identity?: TlsIdentity;
  #store?: Store | undefined;
  #storeServer?: { close(): void } | undefined;
  #ifmap?: RunningIfmap | undefined;
  #admin?: AdminServer | undefined;
  #users?: StoreUserDirectory | undefined;
  #unwatchClients?: (() => void) | undefined;
  #refresh?: NodeJS.Timeout | undefined;
  readonly #dropLog = new Map<string, number>();

  constructor(readonly options: PdpOptions) {
    super();
    this.#config = options.config;
    this.#log = options.logger;
  }

  get tlsIdentity(): TlsIdentity | undefined {
    return this.#identity;
  }

  /** The TNC MAP export (config.ifmap): its exporter knows the published endpoints. */
  get ifmap(): RunningIfmap | undefined {
    return this.#ifmap;
  }

  /** The admin API (config.admin), once started. */
  get admin(): AdminServer | undefined {
    return this.#admin;
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
    // One store, owned here; EAP worker threads reach it over a channel (pdp/store/remote-store.ts).
    if (config.eap.tnc || config.ptTls || config.admin) {
      // Embedded (stateDir/store) or Redis (config.store.backend), seeded from the config once (pdp/store/open-store.ts).
      this.#store = await openConfiguredStore(config, this.#log);
    }
    const channel = this.#store ? newStoreChannelName() : undefined;
    if (this.#store && channel) this.#storeServer = serveStore(this.#store, channel);
    // Users and RADIUS clients: with a store, the store's (seeded from the config, then changed by
    // the admin API in any PDP sharing it), kept current by its change notifications; else the config's.
    let users: UserDirectory = new ConfigUserDirectory(config.users);
    let clients = config.radius.clients;
    if (this.#store) {
      const store = this.#store;
      const directory = await StoreUserDirectory.load(store, (e) => this.#log.error({ event: 'users.reload-failed', err: String(e) }, 'reading users from the store failed'));
      this.#users = directory;
      users = directory;
      clients = await storeRadiusClients(store);
      // A notification missed while the store was unreachable (Redis down) is caught up here.
      this.#refresh = setInterval(() => void directory.refresh().catch((e: unknown) => this.#log.error({ event: 'users.reload-failed', err: String(e) }, 'reading users from the store failed')), STORE_REFRESH_MS).unref();
    }
    // The admin API (pdp/admin): created here so posture decisions reach its subscriptions.
    const admin = config.admin && this.#store
      ? new AdminServer({ config: config.admin, store: this.#store, log: this.#log, now, radiusSecret: (nas) => config.radius.clients.find((c) => c.name === nas)?.secret, ifmap: ifmapExport({ pdpDevice: config.ifmap?.deviceName ?? config.pki.serverName }) })
      : undefined;
    const onPostureEvent = (e: { type?: string }) => {
      this.#log.debug({ ...e, event: e.type ?? 'posture.event' }, 'posture event');
      admin?.publishPosture(e, now());
    };
    const posture = config.eap.tnc ? posturePolicyProvider(onPostureEvent, this.#store && channel ? { store: this.#store, channel } : undefined) : undefined;
    this.#eap = await createEapService(config, this.#identity, users, this.#log, posture, channel);
    const access = new AccessHandler({ eap: this.#eap, users, now });
    const recorder = this.options.accounting ?? new MemoryAccountingRecorder();

    access.on('finished', (ev) => {
      this.#log.info({ event: 'conversation.finished', ...ev }, `${ev.method} ${ev.outcome} for '${ev.user}' from ${ev.client}${ev.group ? ` group ${ev.group}` : ''}${ev.reason ? `: ${ev.reason}` : ''}`);
      this.emit('finished', ev);
    });
    access.on('discarded', (ev) => this.#log.warn({ event: 'eap.discarded', ...ev }, `EAP request from ${ev.client} discarded: ${ev.reason}`));
    // TNC MAP export (pdp/ifmap): a decision becomes an IF-MAP update, accounting adds the IP / deletes.
    if (config.ifmap) {
      const ifmap = startIfmap({ config: config.ifmap, stateDir: config.stateDir, log: this.#log, ...(this.#store ? { store: this.#store } : {}), roles: (u) => config.users.filter((x) => x.name === u).map((x) => x.group) });
      this.#ifmap = ifmap;
      this.on('finished', (ev) => void ifmap.exporter.finished(ev).catch((e: unknown) => this.#log.error({ event: 'ifmap.export-failed', err: String(e) }, 'IF-MAP export failed')));
      this.on('accounting', (r) => ifmap.exporter.accounting(r));
    }

    // Several instances (docs/cluster.md): packets of another instance's conversation go there.
    const cluster: ClusterNode | undefined = config.cluster
      ? new ClusterNode({ config: config.cluster, now, serve: (datagram, nas, from): Promise<Buffer | null> => radius.processForwarded('auth', datagram, nas.address, nas.port, from) })
      : undefined;
    // Active sessions (what quarantine / re-assessment act on): opened on Access-Accept, kept by accounting.
    const feed = this.#store ? new ActiveSessionFeed(this.#store, this.#log, now) : undefined;
    const localAccess = (req: RadiusRequest) => access.access(req).then(async (reply) => (await feed?.access(req, reply), reply));
    const routedAccess: typeof localAccess = cluster ? clusterAccessHandler({ node: cluster, local: localAccess, onForward: logClusterEvents(cluster, this.#log) }) : localAccess;
    const radius: RadiusServer = new RadiusServer({
      auth: config.radius.auth,
      ...(config.radius.accounting ? { accounting: config.radius.accounting } : {}),
      clients,
      duplicateWindowMs: config.radius.duplicateWindowSeconds * 1000,
      maxInFlight: config.radius.maxInFlight,
      now,
      handler: {
        access: (req) => routedAccess(req),
        accounting: (req) =>
          handleAccounting(req, { record: async (r) => { await recorder.record(r); await feed?.accounting(r, req); this.#log.info({ event: 'accounting.recorded', ...r }, `accounting ${r.status} from ${r.client}`); this.emit('accounting', r); } }, now()),
      },
    });
    radius.on('dropped', (ev) => this.#dropped(ev));
    radius.on('listening', (ev) => this.#log.info({ event: 'radius.listening', ...ev }, `RADIUS ${ev.service} listening on ${ev.address}:${ev.port}/udp`));
    radius.on('replayed', (ev) => this.#log.debug({ event: 'radius.replayed', ...ev }, 'duplicate request answered from cache'));
    this.#radius = radius;
    if (this.#store) {
      // RADIUS clients created, changed or deleted through the admin API: the table is swapped at once.
      this.#unwatchClients = watchRadiusClients(this.#store, {
        apply: (list) => {
          radius.replaceClients(list);
          this.#log.info({ event: 'radius.clients', count: list.length }, `RADIUS client table replaced: ${list.map((c) => `${c.name} (${c.address})`).join(', ') || 'no clients'}`);
        },
        onError: (e) => this.#log.error({ event: 'radius.clients-failed', err: String(e) }, `RADIUS clients from the store not applied (the previous table stays): ${String(e)}`),
        refreshMs: STORE_REFRESH_MS,
      });
    }
    const bound = await radius.listen();
    if (cluster) {
      await cluster.start();
      this.#cluster = cluster;
    }
    if (admin) {
      wireAdminEvents(this, admin.events, now);
      this.#admin = admin;
      const at = await admin.listen();
      const demoToken = config.demo ? config.admin?.tokens[0] : undefined;
      // The demo's token is made fresh at each start; printing it once lets a person try GraphiQL.
      if (demoToken) this.#log.info({ event: 'pdp.demo-admin' }, `admin API: open http://${at.address}:${at.port}/graphql and set the header {"Authorization": "Bearer ${demoToken.token}"}`);
    }
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
    await this.#admin?.close();
    await this.#ifmap?.stop();
    await this.#cluster?.close();
    await this.#radius?.close();
    await this.#ptTls?.close();
    await this.#eap?.close();
    clearInterval(this.#refresh);
    this.#unwatchClients?.();
    this.#users?.close();
    this.#storeServer?.close();
    await this.#store?.close();
  }
}

/** The RADIUS clients of the store, with their secrets (a client without one is left out: it could verify nothing). */
async function storeRadiusClients(store: Store): Promise<RadiusClient[]> {
  const out: RadiusClient[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list('radius-client', { limit: 1000, ...(cursor ? { cursor } : {}) });
    const secrets = await Promise.all(page.items.map((c) => store.getCredential('radius-client', c.name)));
    page.items.forEach((c, i) => {
      const secret = secrets[i];
      if (secret) out.push({ name: c.name, address: c.address, secret, requireMessageAuthenticator: c.requireMessageAuthenticator });
    });
    cursor = page.cursor;
  } while (cursor && out.length < 100_000);
  return out;
}

/**
 * Reads the store's RADIUS clients again whenever one changes (and every `refreshMs`), one read at
 * a time: changes arriving during a read start one more read after it, so the last table applied
 * is never older than the last change. Returns the stop function.
 */
function watchRadiusClients(store: Store, o: { apply: (clients: RadiusClient[]) => void; onError: (e: unknown) => void; refreshMs: number }): () => void {
  let running = false;
  let dirty = false;
  let stopped = false;
  const run = async (): Promise<void> => {
    if (running) {
      dirty = true;
      return;
    }
    running = true;
    try {
      do {
        dirty = false;
        try {
          const list = await storeRadiusClients(store);
          if (!stopped) o.apply(list);
        } catch (e) {
          o.onError(e);
        }
      } while (dirty && !stopped);
    } finally {
      running = false;
    }
  };
  const unwatch = store.watch((c) => {
    if (c.kind === 'radius-client' || c.action === 'seed') void run();
  });
  const timer = setInterval(() => void run(), o.refreshMs).unref();
  return () => {
    stopped = true;
    unwatch();
    clearInterval(timer);
  };
}
