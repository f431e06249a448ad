#!/usr/bin/env node
/**
 * tnc-pdp: the policy decision point.
 *
 *   tnc-pdp                      run the embedded demo configuration (loopback only)
 *   tnc-pdp --config FILE        run with FILE (YAML or JSON, schemas/pdp-config.schema.json)
 *   tnc-pdp --config FILE --check   validate FILE and exit (0 valid, 2 invalid)
 */
import { parseArgs } from 'node:util';
import { ConfigError, embeddedDefault, loadConfigFile } from './config/load.js';
import type { PdpConfig } from './config/types.js';
import { createLogger } from './logging.js';
import { Pdp } from './pdp.js';

const usage = `usage: tnc-pdp [--config FILE] [--check]
  --config FILE   configuration file (YAML or JSON); default: the embedded loopback demo
  --check         validate the configuration and exit
  --help          this text`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { config: { type: 'string', short: 'c' }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    process.stderr.write(`tnc-pdp: ${(e as Error).message}\n${usage}\n`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  let config: PdpConfig;
  try {
    config = args.values.config ? loadConfigFile(args.values.config) : embeddedDefault();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`tnc-pdp: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (args.values.check) {
    process.stdout.write(`${config.source}: configuration is valid (${config.radius.clients.length} RADIUS clients, ${config.users.length} users)\n`);
    return 0;
  }
  const log = createLogger(config.log.level);
  const pdp = new Pdp({ config, logger: log });
  try {
    await pdp.start();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const hint =
      err.code === 'EADDRINUSE' ? ' (another RADIUS server, e.g. FreeRADIUS, already uses this port: stop it or set radius.auth.port)'
      : err.code === 'EACCES' ? ' (binding this port needs privileges)'
      : '';
    log.fatal({ event: 'pdp.start-failed', err: { message: err.message, code: err.code } }, `cannot start: ${err.message}${hint}`);
    process.stderr.write(`tnc-pdp: cannot start: ${err.message}${hint}\n`);
    log.flush();
    return 1;
  }
  log.info({ event: 'pdp.started', config: config.source }, `tnc-pdp ready (${config.source})`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'pdp.stopping', signal }, `stopping on ${signal}`);
    void pdp.stop().finally(() => {
      log.flush();
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return -1;
}

main().then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`tnc-pdp: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
