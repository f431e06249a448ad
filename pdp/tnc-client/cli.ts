#!/usr/bin/env node
/** tnc-client: assess this host against a PDP (main.ts has the options and exit codes). */
import { tncClientMain } from './main.js';

const code = await tncClientMain(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
process.exitCode = code;
