/**
 * Start our PDP (alice, REFERENCE-SCENARIO steps 2-6) from a config object:
 * `node --import tsx pdp/cli.ts --config FILE.json` in the repository root, optionally inside a
 * network namespace. Ready when it has logged `radius.listening` for auth and accounting.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nsExec } from './netns.js';
import type { PdpConfig } from './pdp-config.js';
import { startProc, type Scope } from './proc.js';
import { asConversation, type ConversationFinished, type RadiusServer } from './radius-server.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface StartPdpOptions {
  /** Run inside this network namespace (`ip netns exec`). */
  readonly netns?: string;
  readonly readyTimeoutMs?: number;
  /** The CLI to start (default pdp/cli.ts); a stub lets the harness test itself. */
  readonly cliPath?: string;
}

export async function startOurPdp(scope: Scope, config: PdpConfig, opts: StartPdpOptions = {}): Promise<RadiusServer> {
  const cli = opts.cliPath ?? join(REPO_ROOT, 'pdp', 'cli.ts');
  if (!existsSync(cli)) throw new Error(`our PDP is not there yet (${cli}); run with PDP_UNDER_TEST=freeradius`);
  mkdirSync(config.stateDir, { recursive: true });
  const configPath = join(dirname(config.stateDir), `pdp-${Date.now()}.json`);
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const [cmd, args] = nsExec(opts.netns, process.execPath, ['--import', 'tsx', cli, '--config', configPath]);
  const proc = startProc(scope, cmd, args, { name: 'pdp', cwd: REPO_ROOT });
  const timeoutMs = opts.readyTimeoutMs ?? 20_000;
  const services = new Set<string>();
  await proc.waitForJson(
    (o) => {
      if (o['event'] !== 'radius.listening') return false;
      services.add(String(o['service']));
      return services.size >= 2;
    },
    { timeoutMs, what: 'radius.listening for auth and accounting' },
  );
  const caCertPath = join(config.stateDir, 'pki', 'ca.crt');
  if (!existsSync(caCertPath)) throw new Error(`PDP is listening but ${caCertPath} does not exist`);

  const conversations = (since = 0): ConversationFinished[] =>
    proc.jsonLines(since).flatMap((o) => {
      const c = asConversation(o);
      return c ? [c] : [];
    });

  return {
    kind: 'ours',
    config,
    proc,
    caCertPath,
    auth: config.radius.auth,
    accounting: config.radius.accounting,
    mark: () => proc.mark(),
    waitForDropped: async (since, timeoutMs) => {
      const obj = await proc.waitForJson((o) => o['event'] === 'radius.dropped', { since, timeoutMs, what: 'radius.dropped' });
      return JSON.stringify(obj);
    },
    conversations,
    waitForConversation: async (pred, since, timeoutMs) => {
      const obj = await proc.waitForJson(
        (o) => {
          const c = asConversation(o);
          return c !== undefined && pred(c);
        },
        { since, timeoutMs, what: 'conversation.finished' },
      );
      return asConversation(obj);
    },
    stop: async () => {
      await proc.stop();
    },
  };
}
