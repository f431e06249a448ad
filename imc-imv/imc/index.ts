/** The IMC side: interface, host access and the OS, Scanner and Test IMCs. */
export { IMV_ID_ANY, ImcStates } from './imc.js';
export type { Imc, ImcConnectionInfo, ImcMessage, ImcOutgoing, ImcOutput } from './imc.js';
export { fixedHostSource, linuxHostSource } from './host-source.js';
export type { HostSource } from './host-source.js';
export { IPPROTO_TCP, IPPROTO_UDP, MAX_PACKAGES, isLoopbackHex, parseDpkgStatus, parseOsRelease, parseProcNet, uniquePorts } from './host-parsers.js';
export { DEFAULT_PATHS, OsImc, numericFrom, osInfoFrom } from './os-imc.js';
export type { OsImcDependencies, OsImcOptions } from './os-imc.js';
export { PROC_NET_FILES, ScannerImc } from './scanner-imc.js';
export { TestImc } from './test-imc.js';
export type { TestImcOptions } from './test-imc.js';
