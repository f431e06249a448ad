#!/usr/bin/env node
/**
 * Builds pep/native/tun.node with node-gyp at `npm ci` (package.json "install" script).
 * Offline: node-gyp would otherwise download Node's headers; we point it at the headers installed
 * with Node (`/usr/include/node`, nodesource and Debian's libnode-dev put them there) unless
 * `npm_config_nodedir` already names a directory. Needs a C compiler, make and python3.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const nodedir =
  process.env.npm_config_nodedir ||
  [dirname(dirname(process.execPath)), '/usr', '/usr/local'].find((d) => existsSync(join(d, 'include/node/node_api.h')));
if (!nodedir) {
  console.error('pep/native: no Node headers (include/node/node_api.h) found; set npm_config_nodedir');
  process.exit(process.env.TNC_NATIVE_STRICT === '1' ? 1 : 0);
}
// npm puts its bundled node-gyp on PATH for lifecycle scripts; fall back to the copy next to npm.
const bundled = join(dirname(dirname(process.execPath)), 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
const [cmd, pre] = process.env.npm_config_node_gyp
  ? [process.execPath, [process.env.npm_config_node_gyp]]
  : existsSync(bundled)
    ? [process.execPath, [bundled]]
    : ['node-gyp', []];
const r = spawnSync(cmd, [...pre, 'rebuild', `--nodedir=${nodedir}`, '--directory', here], { stdio: 'inherit' });
const status = r.status ?? 1;
// During `npm ci` a missing compiler must not stop the install: the PDP does not need the addon,
// and `npm test` installs gcc/g++/make/python3 and builds it again strictly (TNC_NATIVE_STRICT=1).
if (status !== 0 && process.env.TNC_NATIVE_STRICT !== '1') {
  console.error('pep/native: the TUN addon did not build (needs gcc, g++, make, python3: apt-get install -y gcc g++ make python3);\n' +
    '  the PEP\'s userspace data path is unavailable until `node pep/native/build.mjs` succeeds. Continuing.');
  process.exit(0);
}
process.exit(status);
