/**
 * Start whichever RADIUS/EAP-TTLS server the run tests (`PDP_UNDER_TEST=ours|freeradius`, default
 * ours) from one {@link PdpConfig}. Tests written against {@link RadiusServer} run unchanged on both.
 */
import { startFreeradius } from './freeradius.js';
import type { PdpConfig } from './pdp-config.js';
import { startOurPdp } from './pdp.js';
import type { Scope } from './proc.js';
import { serverKindFromEnv, type RadiusServer, type ServerKind } from './radius-server.js';

export interface StartServerOptions {
  readonly kind?: ServerKind;
  readonly netns?: string;
  readonly readyTimeoutMs?: number;
}

export async function startServerUnderTest(scope: Scope, config: PdpConfig, opts: StartServerOptions = {}): Promise<RadiusServer> {
  const kind = opts.kind ?? serverKindFromEnv();
  const common = {
    ...(opts.netns === undefined ? {} : { netns: opts.netns }),
    ...(opts.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: opts.readyTimeoutMs }),
  };
  return kind === 'ours' ? startOurPdp(scope, config, common) : startFreeradius(scope, config, common);
}
