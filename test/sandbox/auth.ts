/** API keys: which are accepted, how they arrive (Bearer or Basic), and how they are masked in messages and logs. */
import type { IncomingHttpHeaders } from 'node:http';
import { invalidApiKey, liveKeyRefused, missingApiKey } from './errors';
import { firstHeader } from './headers';

export interface ApiKeyGrant {
  key: string;
  readOnly: boolean;
  /** May manage webhook endpoints (restricted keys may lack it). */
  webhooks: boolean;
}

const LIVE_KEY = /^(sk|rk)_live_/;
const KEY_PREFIX = /^(sk|rk|pk)_(test|live)_/;

export function isLiveKey(key: string): boolean {
  return LIVE_KEY.test(key);
}

export function isTestSecretKey(key: string): boolean {
  return /^(sk|rk)_test_\S+$/.test(key);
}

/** `sk_test_****abcd`: the prefix and last four characters only (nothing for keys too short to hide). */
export function maskApiKey(key: string): string {
  const prefix = KEY_PREFIX.exec(key)?.[0] ?? '';
  const secret = key.slice(prefix.length);
  return secret.length >= 12 ? `${prefix}****${secret.slice(-4)}` : `${prefix}****`;
}

export function extractApiKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = firstHeader(headers, 'authorization')?.trim();
  if (!authorization) return undefined;
  const bearer = /^Bearer\s+(.*)$/i.exec(authorization);
  if (bearer) return bearer[1].trim() || undefined;
  const basic = /^Basic\s+(.*)$/i.exec(authorization);
  if (basic) {
    const user = Buffer.from(basic[1].trim(), 'base64').toString('utf8').split(':')[0];
    return user || undefined;
  }
  return undefined;
}

/** The Authorization header as the request log keeps it. */
export function maskAuthorizationHeader(value: string): string {
  const key = extractApiKey({ authorization: value });
  const scheme = value.trim().split(/\s+/)[0] ?? '';
  return key === undefined ? `${scheme} ****` : `${scheme} ${maskApiKey(key)}`;
}

export class ApiKeyRegistry {
  private readonly grants = new Map<string, ApiKeyGrant>();

  /** Test keys only: live-mode rate limits come from the `liveModeLimits` switch, never from a live key. */
  add(key: string, readOnly = false, webhooks = true): void {
    if (!isTestSecretKey(key)) {
      throw new Error(`The sandbox accepts test mode secret or restricted keys only (sk_test_..., rk_test_...), not ${maskApiKey(key)}`);
    }
    this.grants.set(key, { key, readOnly, webhooks });
  }

  authenticate(headers: IncomingHttpHeaders): ApiKeyGrant {
    const key = extractApiKey(headers);
    if (key === undefined) throw missingApiKey();
    const grant = this.grants.get(key);
    if (!grant && isLiveKey(key)) throw liveKeyRefused(maskApiKey(key));
    if (!grant) throw invalidApiKey(maskApiKey(key));
    return grant;
  }
}
