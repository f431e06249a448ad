/**
 * strongSwan 5.9.8 built WITH its PB-TNC pieces (tnccs-20/-11/-dynamic, tnc-imc, tnc-imv, tnc-pdp,
 * OS/Scanner/Test IMCs and IMVs, pt-tls-client), which Debian's packages lack (shared/docs/PEERS.md).
 *
 * {@link ensureStrongswanTnc} runs `build-strongswan-tnc.sh`: the first call on a machine builds
 * from Debian's source package into a cache outside the clone (default
 * /var/cache/tnc-nea/strongswan-5.9.8-tnc, env STRONGSWAN_TNC_PREFIX) in a few minutes, streaming
 * its phases to stderr; later calls find the completion stamp and return at once. Concurrent callers
 * (several test files, several processes) are serialised by the script's flock.
 *
 *   node --import tsx integration/lib/strongswan-tnc.ts     # build (or find) it, print the paths
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { trackGroup, untrackGroup } from './scope.js';

export interface StrongswanTnc {
  /** Install prefix (sysconfdir is `${prefix}/etc`). */
  readonly prefix: string;
  /** The charon daemon (`libexec/ipsec/charon`). */
  readonly charon: string;
  /** `bin/pt-tls-client`: PB-TNC over PT-TLS client. */
  readonly ptTlsClient: string;
  /** `sbin/swanctl` of this build (talks vici to this charon). */
  readonly swanctl: string;
  /** IMCs and IMVs: `imc-os.so`, `imc-scanner.so`, `imc-test.so`, `imv-*.so`. */
  readonly imcDir: string;
  /** Plugins: `libstrongswan-tnccs-20.so`, `libstrongswan-tnc-pdp.so`, ... */
  readonly pluginDir: string;
}

export interface EnsureOptions {
  /** Hard limit for the whole build (default 45 min, env STRONGSWAN_TNC_BUILD_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  /** Receives every progress line of the script (default: written to stderr). */
  readonly onProgress?: (line: string) => void;
}

export const BUILD_SCRIPT = fileURLToPath(new URL('./build-strongswan-tnc.sh', import.meta.url));

const DEFAULT_TIMEOUT_MS = 45 * 60_000;

let pending: Promise<StrongswanTnc> | undefined;

/**
 * Builds strongSwan with PB-TNC once per machine (cached) and returns its paths. Repeated calls in
 * one process share a single run of the script; a failed run is not cached, so a later call retries.
 * Rejects with the script's own explanation (failed phase, log tail, what to do).
 */
export function ensureStrongswanTnc(opts: EnsureOptions = {}): Promise<StrongswanTnc> {
  if (pending === undefined) {
    pending = runBuildScript(opts);
    pending.catch(() => {
      pending = undefined;
    });
  }
  return pending;
}

function timeoutFromEnv(): number {
  const env = Number(process.env['STRONGSWAN_TNC_BUILD_TIMEOUT_MS']);
  return Number.isFinite(env) && env > 0 ? env : DEFAULT_TIMEOUT_MS;
}

function runBuildScript(opts: EnsureOptions): Promise<StrongswanTnc> {
  const timeoutMs = opts.timeoutMs ?? timeoutFromEnv();
  const progress = opts.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
  return new Promise<StrongswanTnc>((resolve, reject) => {
    const child = spawn('bash', [BUILD_SCRIPT], {
      detached: true, // own process group: a timeout or an aborted test run kills make and gcc too
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    const pid = child.pid;
    if (pid !== undefined) trackGroup(pid);
    let stdout = '';
    const stderrLines: string[] = [];
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      partial += c;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        stderrLines.push(line);
        progress(line);
      }
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid !== undefined) {
        try {
          process.kill(-pid, 'SIGTERM');
          setTimeout(() => {
            try {
              process.kill(-pid, 'SIGKILL');
            } catch {
              /* gone */
            }
          }, 5_000).unref();
        } catch {
          /* gone */
        }
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      if (pid !== undefined) untrackGroup(pid);
      reject(new Error(`cannot run ${BUILD_SCRIPT}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (pid !== undefined) untrackGroup(pid);
      if (partial !== '') {
        stderrLines.push(partial);
        progress(partial);
      }
      const why = stderrLines.slice(-60).join('\n');
      if (timedOut) {
        reject(new Error(`${BUILD_SCRIPT} did not finish within ${timeoutMs} ms (raise STRONGSWAN_TNC_BUILD_TIMEOUT_MS)\n${why}`));
        return;
      }
      if (code !== 0) {
        reject(new Error(`${BUILD_SCRIPT} failed (${signal ?? `exit ${code}`}):\n${why}`));
        return;
      }
      const prefix = stdout.trim().split('\n').pop()?.trim() ?? '';
      try {
        resolve(layout(prefix));
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

/** The paths of a completed install under `prefix`; throws if the script's promise is broken. */
export function layout(prefix: string): StrongswanTnc {
  if (!prefix.startsWith('/')) throw new Error(`${BUILD_SCRIPT} printed no prefix (got '${prefix}')`);
  const charon = ['libexec/ipsec/charon', 'sbin/charon'].map((p) => join(prefix, p)).find((p) => existsSync(p));
  if (charon === undefined) throw new Error(`no charon under ${prefix} (libexec/ipsec/charon or sbin/charon)`);
  const paths: StrongswanTnc = {
    prefix,
    charon,
    ptTlsClient: join(prefix, 'bin/pt-tls-client'),
    swanctl: join(prefix, 'sbin/swanctl'),
    imcDir: join(prefix, 'lib/ipsec/imcvs'),
    pluginDir: join(prefix, 'lib/ipsec/plugins'),
  };
  for (const p of [paths.ptTlsClient, paths.swanctl, paths.imcDir, paths.pluginDir]) {
    if (!existsSync(p)) throw new Error(`${p} missing although ${BUILD_SCRIPT} reported ${prefix} complete`);
  }
  return paths;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  ensureStrongswanTnc().then(
    (paths) => process.stdout.write(`${JSON.stringify(paths, null, 2)}\n`),
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 1;
    },
  );
}

/**
 * Road-warrior plugins for the TNC-built charon: the gateway tests' client list plus the PB-TNC
 * client pieces (eap-tnc, tnc-imc, tnc-tnccs, tnccs-20).
 */
export const TNC_ROAD_WARRIOR_PLUGINS =
  'random nonce openssl kdf pem pkcs1 pkcs8 x509 revocation constraints pubkey ' +
  'kernel-libipsec kernel-netlink socket-default vici ' +
  'eap-identity eap-md5 eap-ttls eap-tnc tnc-imc tnc-tnccs tnccs-20';
