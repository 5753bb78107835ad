/**
 * The POST path: idempotency (replay, mismatch, key in use), then the customer's lock,
 * then the commit. The lock is tried synchronously on arrival, so which of two concurrent
 * writes wins depends only on arrival order.
 */
import type { ApiCall, Outcome, SandboxState } from './context';
import {
  idempotencyKeyInUse,
  idempotencyKeyTooLong,
  idempotencyMismatch,
  lockTimeout,
  StripeApiError,
  stripeErrorBody,
} from './errors';
import type { FormObject } from './forms';
import { IdempotencyClaim, requestFingerprint } from './idempotency';
import type { AccountLedger } from './ledger';
import type { PreparedOperation, RouteMatch } from './route';

const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export async function executeWrite(
  state: SandboxState,
  call: ApiCall,
  match: RouteMatch,
  params: FormObject,
  ledger: AccountLedger,
): Promise<Outcome> {
  const accountScope = call.account ?? '';
  let claim: IdempotencyClaim | undefined;
  if (call.idempotencyKey !== undefined) {
    const key = call.idempotencyKey;
    if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) throw idempotencyKeyTooLong(key.length);
    const fingerprint = requestFingerprint(call.method, call.path, params);
    const existing = state.idempotency.find(accountScope, key, state.faults.current.idempotencyKeyTtlMs);
    if (existing?.state === 'in_flight') throw idempotencyKeyInUse();
    if (existing?.state === 'completed') {
      if (existing.fingerprint !== fingerprint) {
        state.stats.idempotencyErrors += 1;
        throw idempotencyMismatch(key);
      }
      state.stats.replays += 1;
      return {
        kind: 'reply',
        status: existing.status,
        body: existing.body,
        headers: { 'Idempotent-Replayed': 'true', 'Original-Request': existing.requestId },
        replayed: true,
        committed: false,
        latencyApplied: false,
      };
    }
    claim = state.idempotency.claim(accountScope, key, fingerprint);
  }

  const forgetClaim = () => claim && state.idempotency.release(claim);
  let operation: PreparedOperation;
  try {
    operation = match.route.prepare({ params, path: match.path });
  } catch (error) {
    forgetClaim();
    throw error;
  }

  const lockKey = operation.lockCustomerId === undefined ? undefined : `${accountScope}\u0000${operation.lockCustomerId}`;
  if (lockKey !== undefined && !state.locks.tryAcquire(lockKey)) {
    if (state.faults.current.lockTimeouts) {
      forgetClaim();
      state.stats.lockTimeouts += 1;
      throw lockTimeout();
    }
    await state.locks.acquire(lockKey);
  }
  try {
    let reply: { status: number; body: unknown };
    try {
      reply = { status: 200, body: operation.run(ledger) };
    } catch (error) {
      if (!(error instanceof StripeApiError)) {
        forgetClaim();
        throw error;
      }
      reply = { status: error.status, body: stripeErrorBody(error, call.requestId, true) };
    }
    await state.timers.sleep(state.faults.current.latencyMs);
    if (claim) state.idempotency.complete(claim, { ...reply, requestId: call.requestId });
    const committed = reply.status < 300;
    if (committed) state.stats.committedWrites += 1;
    return { kind: 'reply', ...reply, headers: {}, replayed: false, committed, latencyApplied: true };
  } finally {
    if (lockKey !== undefined) state.locks.release(lockKey);
  }
}
