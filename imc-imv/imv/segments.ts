/**
 * The IMV side of TCG IF-M Segmentation (segmentation/contract.ts has the wire rules): an IMV
 * that issued a Segmentation Contract Request (strongSwan's OS IMV does, with its Attribute
 * Request for Installed Packages) gets the large attribute either whole or as Segment Envelopes;
 * it answers each non-final segment with Next Segment and sees the attribute once reassembled.
 *
 *   expandSegments(reassembler, attributes)
 *     -> attributes: the message's attributes, envelopes replaced by completed base attributes
 *     -> replies:    Next Segment requests (and PA-TNC Error attributes for broken reassemblies)
 */
import { PaTncError } from '../errors.js';
import { makeAttribute, isAttribute, type PaTncAttribute } from '../pa-tnc/attribute.js';
import { reassemblyErrorReply, type Reassembler } from '../segmentation/contract.js';
import { requestNextSegment, nextSegment, isCancel } from '../tcg/next-segment.js';
import { segmentEnvelope } from '../tcg/segment-envelope.js';

export interface ExpandedSegments {
  readonly attributes: readonly PaTncAttribute[];
  /** Attributes to send back to the IMC: Next Segment, PA-TNC Error. */
  readonly replies: readonly PaTncAttribute[];
  /** Reassembly errors, for the IMV's evaluation and logs. */
  readonly errors: readonly PaTncError[];
}

/** Feeds every Segment Envelope of `attributes` to `reassembler`; other attributes pass through. */
export function expandSegments(reassembler: Reassembler, attributes: readonly PaTncAttribute[]): ExpandedSegments {
  const out: PaTncAttribute[] = [];
  const replies: PaTncAttribute[] = [];
  const errors: PaTncError[] = [];
  for (const a of attributes) {
    if (isAttribute(a, nextSegment) && isCancel(a.value)) {
      reassembler.cancel(a.value.baseMessageId);
      continue;
    }
    if (!isAttribute(a, segmentEnvelope)) {
      out.push(a);
      continue;
    }
    const id = a.value.baseMessageId;
    try {
      const r = reassembler.add(a.value);
      if (r.status === 'more') replies.push(makeAttribute(nextSegment, requestNextSegment(id)));
      else out.push(r.attribute);
    } catch (e) {
      if (!(e instanceof PaTncError)) throw e;
      errors.push(e);
      replies.push(reassemblyErrorReply(e, id));
    }
  }
  return { attributes: out, replies, errors };
}
