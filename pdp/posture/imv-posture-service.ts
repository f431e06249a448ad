/**
 * The PostureService of the PDP: builds the IMVs the policy enables (one instance each, shared by
 * every assessment, as IF-IMV loads an IMV once) and hands out one ImvPostureSession per PB-TNC
 * connection. IMV ids follow strongSwan's load order in the captures: OS 1, Scanner 2, Test 3
 * (only the enabled ones, numbered in that order).
 *
 *   const posture = new ImvPostureService({ policy, onEvent: (e) => log.info(e) });
 *   const session = posture.createSession({ user, via: nas.name, transport: 'pt-eap' });
 *   const pb = new PbTncServerSession({ handler: session });
 *   ... pb.receive(batch) until done; session.decision(); session.close();
 */
import { randomInt } from 'node:crypto';
import { createStandardRegistry, OsImv, ScannerImv, TestImv, type AttributeRegistry, type Imv } from '../../imc-imv/index.js';
import { OS_WORK_TYPES } from '../../imc-imv/imv/os-imv.js';
import { SCANNER_WORK_TYPES } from '../../imc-imv/imv/scanner-imv.js';
import type { WorkType } from '../../imc-imv/index.js';
import type { Store } from '../store/store.js';
import { ImvPostureSession, type PostureEvent, type Timers } from './imv-session.js';
import type { PolicyModel } from './model.js';
import { StoreModelSource } from './store-model.js';
import { resolvePosturePolicy, type PosturePolicy, type ResolvedPosturePolicy } from './policy.js';
import type { PostureContext, PostureService, PostureSession } from './posture-service.js';

export interface ImvPostureServiceOptions {
  readonly policy: PosturePolicy;
  /** PA-TNC codecs; default createStandardRegistry(). */
  readonly registry?: AttributeRegistry;
  /** IMVs to run instead of those the policy enables (custom IMVs, tests); ids 1, 2, ... in order. */
  readonly imvs?: readonly Imv[];
  readonly timers?: Timers;
  /** PA-TNC Message Identifiers; default a random 32-bit number. */
  readonly randomId?: () => number;
  readonly onEvent?: (e: PostureEvent) => void;
  /** Devices, sessions and per-device results (pdp/store); without it nothing is kept or skipped. */
  readonly store?: Store;
  /** Milliseconds since the epoch (maxAge, session times); default Date.now. */
  readonly now?: () => number;
  /**
   * Read the posture model from `store` (store-model.ts) once it was seeded, so admin changes
   * apply to the next assessment; default true when a store is given.
   */
  readonly modelFromStore?: boolean;
}

/**
 * The IMVs `policy` enables, in id order (OS, Scanner, Test): those its flat `imvs` section names,
 * and those whose policy types the model's policies use (`types`).
 */
export function buildImvs(policy: PosturePolicy, registry: AttributeRegistry, types: ReadonlySet<WorkType> = new Set()): Imv[] {
  const uses = (t: readonly WorkType[]) => t.some((x) => types.has(x));
  const imvs: Imv[] = [];
  if (policy.imvs.os || uses(OS_WORK_TYPES)) imvs.push(new OsImv(policy.imvs.os ?? {}, { registry }));
  if (policy.imvs.scanner || uses(SCANNER_WORK_TYPES)) imvs.push(new ScannerImv(policy.imvs.scanner ?? {}));
  if (policy.imvs.test || types.has('test-command')) imvs.push(new TestImv(policy.imvs.test ?? {}));
  return imvs;
}

const MAX_CONNECTION_ID = 0xffffffff;

export class ImvPostureService implements PostureService {
  readonly policy: ResolvedPosturePolicy;
  readonly #registry: AttributeRegistry;
  readonly #imvs: readonly { readonly id: number; readonly imv: Imv; readonly managed: boolean }[];
  readonly #store: Store | undefined;
  readonly #now: () => number;
  readonly #timers: Timers;
  readonly #randomId: () => number;
  readonly #onEvent: (e: PostureEvent) => void;
  readonly #model: StoreModelSource | undefined;
  #nextConnection = 1;

  constructor(options: ImvPostureServiceOptions) {
    this.policy = resolvePosturePolicy(options.policy);
    this.#registry = options.registry ?? createStandardRegistry();
    // IMVs built from the policy get per-connection work items; IMVs given in options keep their own.
    const managed = options.imvs === undefined;
    this.#imvs = (options.imvs ?? buildImvs(options.policy, this.#registry, this.policy.model.types)).map((imv, i) => ({ id: i + 1, imv, managed }));
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
    this.#randomId = options.randomId ?? (() => randomInt(0, 0x1_0000_0000));
    this.#onEvent = options.onEvent ?? (() => undefined);
    this.#model = options.store && options.modelFromStore !== false ? new StoreModelSource(options.store, options.policy, (e) => this.#onEvent(e)) : undefined;
  }

  get imvNames(): readonly string[] {
    return this.#imvs.map((x) => x.imv.name);
  }

  createSession(context: PostureContext): PostureSession {
    const connectionId = this.#nextConnection;
    this.#nextConnection = connectionId >= MAX_CONNECTION_ID ? 1 : connectionId + 1;
    return new ImvPostureSession({
      connectionId,
      context,
      imvs: this.#imvs,
      policy: this.policy,
      registry: this.#registry,
      timers: this.#timers,
      randomId: this.#randomId,
      onEvent: this.#onEvent,
      now: this.#now,
      ...(this.#store ? { store: this.#store } : {}),
      ...(this.#model ? { model: (fallback: PolicyModel) => this.#model!.model(fallback) } : {}),
    });
  }
}
