/**
 * The one error the PEP's configuration readers throw (ipsec.conf, ipsec.secrets, tnc-pep YAML).
 * The message names the file, the line and the key the way operators read strongSwan's own
 * diagnostics: `ipsec.conf:12: rightsourceip: '10.3.0.0/33' is not an address range`.
 * Secret values never appear in it.
 */
export type ConfigErrorCode =
  | 'CONF_SYNTAX'
  | 'CONF_UNKNOWN_KEY'
  | 'CONF_INVALID_VALUE'
  | 'CONF_MISSING'
  | 'CONF_ALSO'
  | 'CONF_INCLUDE'
  | 'CONF_IKEV1'
  | 'CONF_IO'
  | 'SECRETS_SYNTAX'
  | 'SECRETS_KEY'
  | 'PEP_CONFIG_INVALID';

export class PepConfigError extends Error {
  override readonly name = 'PepConfigError';
  constructor(
    readonly code: ConfigErrorCode,
    /** The file as the operator named it (or as an include resolved it). */
    readonly file: string,
    /** 1-based line, 0 when the problem is not tied to a line. */
    readonly line: number,
    /** The key (parameter) concerned, '' when none. */
    readonly key: string,
    readonly detail: string,
  ) {
    super(`${file}${line > 0 ? `:${line}` : ''}: ${key ? `${key}: ` : ''}${detail}`);
  }
}
