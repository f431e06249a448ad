/**
 * The two EAP methods that carry PB-TNC batches inside an EAP tunnel method, and how they differ.
 * strongSwan runs both through the same code (src/libcharon/plugins/eap_tnc/eap_tnc.c over
 * src/libtls/tls_eap.c); only the Type, the position of the Start flag and the framing differ:
 *
 * | variant | EAP Type | Flags octet            | Start | Version | fragmentation          |
 * |---------|----------|------------------------|-------|---------|------------------------|
 * | PT-EAP  | 54       | S R R R R  Ver(3)      | 0x80  | 1       | none (RFC 7171)        |
 * | EAP-TNC | 38       | L M S R R  Ver(3)      | 0x20  | 1       | L/M as EAP-TLS/TTLS    |
 *
 * - PT-EAP (RFC 7171 section 4.1): the Flags field has a single flag, S (Start), in its most
 *   significant bit; the other four are reserved (sent 0, ignored). There is no Length flag, no
 *   More flag and no Message Length field: one PT-EAP message carries one whole PB-TNC batch, and
 *   the EAP tunnel method (TTLS) fragments the TLS records that carry it. strongSwan: EAP_PT_START
 *   = (1<<7), it never parses a Message Length for PT-EAP, and its PB-TNC batches over EAP are at
 *   most 65522 octets (4 * 16384 - 14), which fits one EAP packet (65535 - 6 octets of data).
 * - EAP-TNC (TCG IF-T: Protocol Bindings for Tunneled EAP Methods 1.1, legacy): the EAP-TLS flag
 *   layout (L 0x80, M 0x40, S 0x20) and version 1. strongSwan fragments at 65535 octets, i.e. in
 *   practice never; we reassemble fragments of any allowed size.
 * - Both: the version is 1 (strongSwan: EAP_TNC_SUPPORTED_VERSION = EAP_PT_EAP_SUPPORTED_VERSION = 1;
 *   IANA "PT-EAP Versions": 1 = RFC 7171). strongSwan fails a non-empty packet of another version.
 */
import { EapType } from '../packet.js';

export interface TncVariant {
  readonly type: typeof EapType.PTEAP | typeof EapType.TNC;
  readonly name: 'PT-EAP' | 'EAP-TNC';
  /** The posture transport name (PostureContext.transport). */
  readonly transport: 'pt-eap' | 'eap-tnc';
  readonly startFlag: number;
  /** L and M flags when the variant fragments (EAP-TNC), else undefined. */
  readonly fragmentFlags: { readonly length: number; readonly more: number } | undefined;
  readonly version: number;
}

export const VERSION_MASK = 0x07;

export const PT_EAP: TncVariant = Object.freeze({
  type: EapType.PTEAP,
  name: 'PT-EAP',
  transport: 'pt-eap',
  startFlag: 0x80,
  fragmentFlags: undefined,
  version: 1,
});

export const EAP_TNC: TncVariant = Object.freeze({
  type: EapType.TNC,
  name: 'EAP-TNC',
  transport: 'eap-tnc',
  startFlag: 0x20,
  fragmentFlags: Object.freeze({ length: 0x80, more: 0x40 }),
  version: 1,
});

/** EAP header (4) + Type (1) + Flags (1): what is left of 65535 for one PT-EAP batch. */
export const PT_EAP_MAX_DATA = 0xffff - 6;
/** EAP-TNC: EAP header, Type, Flags and the 4-octet Message Length. */
export const EAP_TNC_MAX_FRAGMENT = 0xffff - 10;
