/**
 * XFRM backend of {@link KernelIpsec}: SAs and policies in the Linux kernel (RFC 4301 SAD/SPD),
 * written through one long-lived `ip -force -batch -` process ({@link IpBatch}; that file says why
 * this and not netlink from the addon, and pep/kernel/bench-xfrm.ts measures it).
 *
 * A kernel without ESP (no CONFIG_INET_ESP, no esp4 module) accepts policies but answers every
 * `proto esp` state with "Requested type not found" (ENOENT from xfrm_state_find's type lookup),
 * and an AEAD state (aes-gcm) already with "Requested AEAD algorithm not found" (measured on this
 * machine's kernel; the algorithm lookup fails before the type lookup): all of
 * {@link ESP_MISSING_RE} become KernelError 'NO_ESP' with {@link NO_ESP_MESSAGE} (ip's own text
 * appended), so the operator learns to switch to the userspace data path instead of reading a
 * netlink errno.
 *
 * Expiry: the kernel enforces the lifetimes it was given; the IKE daemon keeps its own rekey timers
 * (as charon does), so no XFRM monitor is needed for time-based rekeying.
 */
import { execFile } from 'node:child_process';
import { IpBatch, IpBatchError } from './ip-batch.js';
import { KernelError, NO_ESP_MESSAGE } from './kernel-error.js';
import type { KernelIpsec, PolicyConfig, PolicyId, SaConfig, SaId, SaUsage } from './kernel-ipsec.js';
import {
  parseStateUsage,
  xfrmPolicyDelete,
  xfrmPolicyUpdate,
  xfrmStateAdd,
  xfrmStateDelete,
  xfrmStateGetArgs,
  type XfrmCommand,
} from './xfrm-commands.js';

/**
 * What ip prints when the kernel cannot carry an ESP state: the missing type ("Requested type not
 * found"), the missing transform ("Requested AEAD|crypt|auth algorithm not found": no crypto
 * template for ESP), or no protocol support at all.
 */
export const ESP_MISSING_RE = /Requested type not found|Requested (?:AEAD|crypt|auth|comp) algorithm not found|Protocol not supported/i;

export interface XfrmKernelIpsecOptions {
  /** How to run ip: default ['ip']; ['ip', 'netns', 'exec', NS, 'ip'] to work in a namespace. */
  readonly ipArgv?: readonly string[];
  readonly timeoutMs?: number;
}

export class XfrmKernelIpsec implements KernelIpsec {
  readonly kind = 'xfrm' as const;
  readonly #batch: IpBatch;
  readonly #ipArgv: readonly string[];
  readonly #timeoutMs: number;
  /** What we installed, for flush(reqids): key -> reqid and the delete command. */
  readonly #sas = new Map<string, { reqid: number; id: SaId }>();
  readonly #policies = new Map<string, { reqid: number; id: PolicyId }>();

  constructor(opts: XfrmKernelIpsecOptions = {}) {
    this.#ipArgv = opts.ipArgv ?? ['ip'];
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#batch = new IpBatch({ argv: this.#ipArgv, timeoutMs: this.#timeoutMs });
  }

  async installSa(sa: SaConfig): Promise<void> {
    try {
      await this.#run(xfrmStateAdd(sa));
    } catch (err) {
      // "Requested type not found": xfrm_get_type() found no ESP implementation in this kernel.
      if (err instanceof IpBatchError && ESP_MISSING_RE.test(err.ipMessage)) {
        throw new KernelError('NO_ESP', `${NO_ESP_MESSAGE} (${err.describe}: ${err.ipMessage})`);
      }
      throw err;
    }
    this.#sas.set(saKey(sa), { reqid: sa.reqid, id: { dst: sa.dst, spi: sa.spi, protocol: 'esp' } });
  }

  async deleteSa(id: SaId): Promise<void> {
    this.#sas.delete(saKey(id));
    await this.#run(xfrmStateDelete(id));
  }

  async querySa(id: SaId): Promise<SaUsage> {
    const [cmd, ...pre] = this.#ipArgv as [string, ...string[]];
    const text = await new Promise<string>((resolve, reject) => {
      execFile(cmd, [...pre, ...xfrmStateGetArgs(id)], { timeout: this.#timeoutMs }, (err, stdout, stderr) => {
        if (err) reject(classify(new IpBatchError(`xfrm state get dst ${id.dst} spi ${id.spi}`, String(stderr).trim())));
        else resolve(String(stdout));
      });
    });
    return parseStateUsage(text);
  }

  async installPolicy(p: PolicyConfig): Promise<void> {
    await this.#run(xfrmPolicyUpdate(p));
    this.#policies.set(policyKey(p), { reqid: p.reqid, id: { selector: p.selector, dir: p.dir, ...(p.ifId !== undefined ? { ifId: p.ifId } : {}) } });
  }

  async deletePolicy(id: PolicyId): Promise<void> {
    this.#policies.delete(policyKey(id));
    await this.#run(xfrmPolicyDelete(id));
  }

  async flush(reqids: readonly number[]): Promise<void> {
    const wanted = new Set(reqids);
    const jobs: Promise<void>[] = [];
    for (const [k, p] of this.#policies) {
      if (!wanted.has(p.reqid)) continue;
      this.#policies.delete(k);
      jobs.push(this.#run(xfrmPolicyDelete(p.id)).catch(ignoreNotFound));
    }
    for (const [k, s] of this.#sas) {
      if (!wanted.has(s.reqid)) continue;
      this.#sas.delete(k);
      jobs.push(this.#run(xfrmStateDelete(s.id)).catch(ignoreNotFound));
    }
    await Promise.all(jobs);
  }

  async close(): Promise<void> {
    await this.#batch.close();
  }

  async #run(c: XfrmCommand): Promise<void> {
    try {
      await this.#batch.run(c.command, c.describe);
    } catch (err) {
      throw classify(err);
    }
  }
}

function classify(err: unknown): unknown {
  if (!(err instanceof IpBatchError)) return err;
  if (/File exists/i.test(err.ipMessage)) return new KernelError('EXISTS', err.message);
  if (/No such (process|file)|not found/i.test(err.ipMessage) && !ESP_MISSING_RE.test(err.ipMessage)) {
    return new KernelError('NOT_FOUND', err.message);
  }
  return err;
}

function ignoreNotFound(err: unknown): void {
  if (err instanceof KernelError && err.code === 'NOT_FOUND') return;
  throw err;
}

function saKey(id: { dst: string; spi: number }): string {
  return `${id.dst}/${id.spi}`;
}

function policyKey(id: PolicyId): string {
  const s = id.selector;
  return `${s.src}|${s.dst}|${s.proto ?? 0}|${s.sport ?? ''}|${s.dport ?? ''}|${id.dir}|${id.ifId ?? 0}`;
}
