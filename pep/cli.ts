#!/usr/bin/env node
/**
 * tnc-pep: the IKEv2 gateway (PEP).
 *
 *   tnc-pep --config pep.yaml            run the gateway (also: tnc-pep start --config pep.yaml)
 *   tnc-pep status [--config F|--socket S] IKE_SAs and CHILD_SAs, like `swanctl --list-sas`
 *   tnc-pep leases [--config F|--socket S] virtual IP leases (address status start end identity)
 *   tnc-pep pool --status [...]          pools (name start end timeout size online usage)
 *   add --json for the data instead of the text.
 *
 * The commands other than start ask the running gateway over its control socket
 * (<stateDir>/tnc-pep.ctl).
 */
import 'reflect-metadata';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPepConfigFile } from './config/pep-config.js';
import { PepConfigError } from './config/config-error.js';
import { controlRequest } from './daemon/control-socket.js';
import { CONTROL_SOCKET, Gateway } from './daemon/gateway.js';

const USAGE = `usage: tnc-pep [start] --config pep.yaml
       tnc-pep status|leases [--config pep.yaml | --socket PATH] [--json]
       tnc-pep pool --status [--config pep.yaml | --socket PATH] [--json]`;

function socketPath(values: { config?: string; socket?: string }): string {
  if (values.socket) return values.socket;
  const config = values.config ?? process.env.TNC_PEP_CONFIG;
  if (!config) throw new Error('--config or --socket is required');
  return join(loadPepConfigFile(config).stateDir, CONTROL_SOCKET);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      socket: { type: 'string' },
      status: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const command = positionals[0] ?? 'start';
  if (command === 'start') {
    const config = values.config ?? process.env.TNC_PEP_CONFIG;
    if (!config) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    const gw = await Gateway.open({ configPath: config });
    await gw.start();
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      gw.log.info({ event: 'shutdown', signal }, `received ${signal}, shutting down`);
      void gw.stop().then(() => process.exit(0), () => process.exit(1));
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    return new Promise<number>(() => undefined);
  }
  const map: Record<string, string> = { status: 'status', leases: 'leases', pool: 'pool-status' };
  const request = map[command];
  if (!request || (command === 'pool' && !values.status)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const answer = await controlRequest(socketPath(values), { command: request });
  if (!answer.ok) {
    process.stderr.write(`tnc-pep: ${answer.error ?? 'failed'}\n`);
    return 1;
  }
  process.stdout.write(values.json ? `${JSON.stringify(answer.data, null, 2)}\n` : answer.text ?? '');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof PepConfigError) process.stderr.write(`tnc-pep: ${error.message}\n`);
    else process.stderr.write(`tnc-pep: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
