/** Idempotency records per account + key: in flight while the first request runs, then its saved reply. */
import { canonicalJson } from './forms';

export interface SavedReply {
  status: number;
  body: unknown;
  requestId: string;
}

type IdempotencyRecord =
  | { fingerprint: string; state: 'in_flight' }
  | ({ fingerprint: string; state: 'completed'; completedAt: number } & SavedReply);

export interface IdempotencyClaim {
  readonly scopedKey: string;
  readonly fingerprint: string;
}

export function requestFingerprint(method: string, path: string, params: unknown): string {
  return `${method} ${path} ${canonicalJson(params)}`;
}

export class IdempotencyStore {
  private readonly records = new Map<string, IdempotencyRecord>();

  /**
   * The key's record, unless it is older than `ttlMs`: Stripe keeps a key for at least 24 hours and may prune it after
   * that, when a request with it is a new request. `null` keeps keys for ever.
   */
  find(account: string, key: string, ttlMs: number | null = null, now = Date.now()): IdempotencyRecord | undefined {
    const scopedKey = scope(account, key);
    const record = this.records.get(scopedKey);
    if (record?.state === 'completed' && ttlMs !== null && now - record.completedAt >= ttlMs) {
      this.records.delete(scopedKey);
      return undefined;
    }
    return record;
  }

  claim(account: string, key: string, fingerprint: string): IdempotencyClaim {
    const scopedKey = scope(account, key);
    this.records.set(scopedKey, { fingerprint, state: 'in_flight' });
    return { scopedKey, fingerprint };
  }

  /** Forgets a claim whose request did not execute (validation failure, lock timeout). */
  release(claim: IdempotencyClaim): void {
    if (this.records.get(claim.scopedKey)?.state === 'in_flight') this.records.delete(claim.scopedKey);
  }

  complete(claim: IdempotencyClaim, reply: SavedReply): void {
    this.records.set(claim.scopedKey, { fingerprint: claim.fingerprint, state: 'completed', completedAt: Date.now(), ...reply });
  }

  /** Every completed key becomes `ms` older, as if that much time had passed since its request. */
  age(ms: number): void {
    for (const record of this.records.values()) if (record.state === 'completed') record.completedAt -= ms;
  }

  clear(): void {
    this.records.clear();
  }
}

function scope(account: string, key: string): string {
  return `${account}\u0000${key}`;
}
