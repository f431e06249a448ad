/**
 * tnc-pep for integration/pep-cert.test.ts: the gateway as `tnc-pep start` runs it, plus the
 * trust store from ipsec.d/cacerts (rightauth=pubkey). Bridge until pep/daemon/gateway.ts passes
 * `trustAnchors: TrustStore.fromDirectory(join(config.ipsecDir, 'cacerts'))` itself; then the
 * test can use integration/lib/pep.ts startPep unchanged (this file keeps working either way).
 *
 *   node --import tsx integration/lib/pep-cert-main.ts <pep.yaml> <ipsec.d/cacerts>
 */
import { Gateway } from '../../pep/daemon/gateway.js';
import { TrustStore } from '../../pep/responder/trust-store.js';

const [configPath, cacerts] = process.argv.slice(2);
if (!configPath || !cacerts) {
  process.stderr.write('usage: pep-cert-main.ts <pep.yaml> <cacerts dir>\n');
  process.exit(2);
}
const gw = await Gateway.open({ configPath });
if (gw.responder.trustStore.size === 0) {
  gw.responder.trustStore = TrustStore.fromDirectory(cacerts, (file, reason) => gw.log.warn({ event: 'config.cacert-skipped', file }, `skipping '${file}': ${reason}`));
}
gw.log.info({ event: 'config.cacerts', count: gw.responder.trustStore.size }, `loaded ${gw.responder.trustStore.size} CA certificates from '${cacerts}'`);
await gw.start();
const stop = (signal: string) => {
  gw.log.info({ event: 'shutdown', signal }, `received ${signal}, shutting down`);
  void gw.stop().then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
