// user.id / enduser.id and session.id, as TOKENLEDGER_IDENTITY_IDS says: kept as sent, replaced by a salted
// hash before the spans are stored (the raw id never reaches the disk), or dropped.
import { createHmac } from 'node:crypto';
import { ATTR_ENDUSER_ID, ATTR_SESSION_ID, ATTR_USER_ID } from '@tokenledger/semconv';
import type { SpanRecord } from './span-record.ts';

const IDENTITY = [ATTR_USER_ID, ATTR_ENDUSER_ID, ATTR_SESSION_ID];

/** Rewrites the spans' identity attributes in place; undefined when ids are kept as sent. */
export function identityFilter(mode: 'RAW' | 'HASH' | 'NONE', salt: string | undefined): ((spans: readonly SpanRecord[]) => void) | undefined {
  if (mode === 'RAW') return undefined;
  return (spans) => {
    for (const s of spans) {
      for (const name of IDENTITY) {
        const v = s.attributes[name];
        if (v === undefined) continue;
        if (mode === 'NONE') delete s.attributes[name];
        // The same id hashes alike in every span and instance (same salt): users and sessions still add up.
        else s.attributes[name] = hashId(String(v), salt!);
      }
    }
  };
}

/** HMAC-SHA-256 of the id with the salt, the first 128 bits in hex. */
export function hashId(id: string, salt: string): string {
  return createHmac('sha256', salt).update(id).digest('hex').slice(0, 32);
}
