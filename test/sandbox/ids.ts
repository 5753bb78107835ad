/** Stripe-looking random identifiers. Not seeded: faults use their own PRNG so ids never shift a fault sequence. */
import { randomBytes } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomAlphanumeric(length: number): string {
  let text = '';
  while (text.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 * 62: dropping bytes above it keeps every character equally likely.
      if (byte < 248 && text.length < length) text += ALPHANUMERIC[byte % 62];
    }
  }
  return text;
}

export const newCustomerId = () => `cus_${randomAlphanumeric(14)}`;
export const newTransactionId = () => `cbtxn_${randomAlphanumeric(24)}`;
export const newInvoiceId = () => `in_${randomAlphanumeric(24)}`;
export const newRequestId = () => `req_${randomAlphanumeric(14)}`;
export const newInvoicePrefix = () => randomBytes(4).toString('hex').toUpperCase().slice(0, 7);
