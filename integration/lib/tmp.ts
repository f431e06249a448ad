/**
 * Per-test working directories under the OS temp dir, removed when the scope closes unless
 * INTEGRATION_KEEP=1 (then the path is printed so configs and logs can be inspected).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerEmergencyCleanup, type Scope } from './proc.js';

export function makeTempDir(scope: Scope, label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tnc-it-${label}-`));
  const keep = process.env['INTEGRATION_KEEP'] === '1';
  const unregister = registerEmergencyCleanup(() => {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  });
  scope.defer(`remove ${dir}`, () => {
    unregister();
    if (keep) {
      process.stderr.write(`[integration] kept ${dir}\n`);
      return;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
