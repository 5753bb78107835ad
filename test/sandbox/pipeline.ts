/**
 * One request from arrival to the HTTP action: record it, roll the fault dice, then
 * authenticate -> check Stripe-Version and Stripe-Account -> rate limit -> inject faults ->
 * parse -> route -> run (writes via writes.ts) -> latency -> after-commit faults.
 * Everything up to a write's lock happens synchronously on arrival (no await), which keeps
 * fault and lock decisions deterministic for a given seed and arrival order.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { maskApiKey, maskAuthorizationHeader } from './auth';
import type { ApiCall, Outcome, SandboxState } from './context';
import {
  conflictWithoutRetryHint,
  invalidApiVersion,
  lockTimeout,
  missingPermission,
  rateLimited,
  sandboxBug,
  serverError,
  serviceUnavailable,
  StripeApiError,
  stripeErrorBody,
  unknownAccount,
  unrecognizedUrl,
} from './errors';
import { firstHeader, isValidApiVersion, replyApiVersion } from './headers';
import { newRequestId } from './ids';
import { readRequestParams } from './params';
import { refusingLimiter } from './rateLimit';
import { matchRoute } from './router';
import { PLATFORM_ACCOUNT_ID } from './store';
import type { RecordedRequest } from './types';
import { executeWrite } from './writes';

export interface ArrivedRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export type HttpAction = { kind: 'reply'; status: number; headers: Record<string, string>; body: unknown } | { kind: 'drop' };

export class RequestPipeline {
  constructor(private readonly state: SandboxState) {}

  async handle(arrived: ArrivedRequest): Promise<HttpAction> {
    const { state } = this;
    state.inFlight += 1;
    state.stats.peakInFlight = Math.max(state.stats.peakInFlight, state.inFlight);
    try {
      return await this.handleInFlight(arrived);
    } finally {
      state.inFlight -= 1;
    }
  }

  private async handleInFlight(arrived: ArrivedRequest): Promise<HttpAction> {
    const { state } = this;
    const params = readRequestParams(arrived.method, arrived.query, arrived.rawBody, arrived.headers);
    const idempotencyKey = arrived.method === 'POST' ? firstHeader(arrived.headers, 'idempotency-key') || undefined : undefined;
    const record = recordOf(arrived, params.params, firstHeader(arrived.headers, 'idempotency-key'));
    state.requests.push(record);
    // Only a closed door awaits: an open one keeps arrival-to-lock synchronous (see above).
    if (state.gate.isClosed) await state.gate.pass();
    const call: ApiCall = {
      record,
      method: arrived.method,
      path: arrived.path,
      headers: arrived.headers,
      params,
      requestId: newRequestId(),
      idempotencyKey,
      dice: state.faults.rollDice(),
    };

    const outcome = await this.outcomeOf(call);
    if (!outcome.latencyApplied) await state.timers.sleep(state.faults.current.latencyMs);
    const afterCommit = this.afterCommitFault(call, outcome);
    if (outcome.kind === 'drop' || afterCommit === 'drop') {
      state.stats.dropped += 1;
      return { kind: 'drop' };
    }
    if (afterCommit === 'slow') {
      state.stats.slow += 1;
      await state.timers.sleep(state.faults.current.slowReplyMs);
    }
    record.status = outcome.status;
    record.replayed = outcome.replayed;
    record.repliedAt = Date.now();
    return { kind: 'reply', status: outcome.status, headers: { ...this.replyHeaders(call), ...outcome.headers }, body: outcome.body };
  }

  private async outcomeOf(call: ApiCall): Promise<Outcome> {
    try {
      return await this.execute(call);
    } catch (thrown) {
      const error = thrown instanceof StripeApiError ? thrown : sandboxBug(thrown instanceof Error ? thrown.stack ?? thrown.message : String(thrown));
      return {
        kind: 'reply',
        status: error.status,
        body: stripeErrorBody(error, call.requestId, call.grant !== undefined),
        headers: error.headers,
        replayed: false,
        committed: false,
        latencyApplied: false,
      };
    }
  }

  private async execute(call: ApiCall): Promise<Outcome> {
    const { state } = this;
    const grant = state.keys.authenticate(call.headers);
    call.grant = grant;
    const version = firstHeader(call.headers, 'stripe-version');
    if (version !== undefined && !isValidApiVersion(version)) throw invalidApiVersion(version);
    const account = firstHeader(call.headers, 'stripe-account');
    if (account !== undefined && !state.store.hasAccount(account)) throw unknownAccount(maskApiKey(grant.key), account);
    call.account = account;
    if (call.method !== 'GET' && grant.readOnly) throw missingPermission(maskApiKey(grant.key), account ?? PLATFORM_ACCOUNT_ID);
    if (call.path.startsWith('/v1/webhook_endpoints') && !grant.webhooks) {
      throw missingPermission(maskApiKey(grant.key), account ?? PLATFORM_ACCOUNT_ID, 'rak_webhook_write');
    }
    const match = matchRoute(call.method, call.path);
    const endpoint = `${call.method} ${match ? match.route.template : call.path}`;
    call.record.endpoint = endpoint;
    const bucket = `${grant.key}\u0000${account ?? ''}`;
    const refusedBy = refusingLimiter(state.limiter, { bucket, endpoint }, state.faults.current, Date.now());
    if (refusedBy !== undefined) throw this.rateLimited(refusedBy);
    if (this.injectFaultBeforeExecution(call) === 'drop') return { kind: 'drop', latencyApplied: false };

    if (!call.params.ok) throw call.params.error;
    if (!match) throw unrecognizedUrl(call.method, call.path);
    const ledger = state.store.ledger(account)!;
    if (call.method === 'POST') return executeWrite(state, call, match, call.params.params, ledger);
    const operation = match.route.prepare({ params: call.params.params, path: match.path });
    const body = operation.run(ledger);
    return { kind: 'reply', status: 200, body, headers: {}, replayed: false, committed: false, latencyApplied: false };
  }

  /** Throws the injected error, returns 'drop', or marks an after-commit fault on the call. Script first, then dice. */
  private injectFaultBeforeExecution(call: ApiCall): 'drop' | undefined {
    const { stats, faults } = this.state;
    const scripted = faults.takeScripted(call.method, call.path);
    switch (scripted?.fault) {
      case undefined:
        break;
      case 'drop-after-commit':
      case 'slow-after-commit':
        call.scriptedAfterCommit = scripted.fault;
        return undefined;
      case 'drop-before-commit':
        return 'drop';
      case '500':
      case 'should-retry-false-500':
      case '503':
        stats.serverErrors += 1;
        throw scripted.fault === '503' ? serviceUnavailable() : serverError(scripted.fault === '500' ? undefined : false);
      case 'rate_limit':
        throw this.rateLimited(scripted.reason);
      case 'lock_timeout':
        stats.lockTimeouts += 1;
        throw lockTimeout();
      case '409':
        throw conflictWithoutRetryHint();
    }
    if (call.dice.serverError < faults.current.serverErrorRate) {
      stats.serverErrors += 1;
      throw serverError();
    }
    return undefined;
  }

  private rateLimited(reason: string | undefined): StripeApiError {
    const { stats } = this.state;
    stats.rateLimited += 1;
    stats.rateLimitedBy[reason ?? 'none'] = (stats.rateLimitedBy[reason ?? 'none'] ?? 0) + 1;
    return rateLimited(reason);
  }

  private afterCommitFault(call: ApiCall, outcome: Outcome): 'drop' | 'slow' | undefined {
    if (outcome.kind === 'drop') return undefined;
    if (call.scriptedAfterCommit) return call.scriptedAfterCommit === 'drop-after-commit' ? 'drop' : 'slow';
    if (!outcome.committed) return undefined;
    const faults = this.state.faults.current;
    if (call.dice.dropAfterCommit < faults.dropAfterCommitRate) return 'drop';
    if (call.dice.slowReply < faults.slowReplyRate) return 'slow';
    return undefined;
  }

  private replyHeaders(call: ApiCall): Record<string, string> {
    const headers: Record<string, string> = { 'Request-Id': call.requestId, 'Stripe-Version': replyApiVersion(call.headers) };
    const idempotencyKey = firstHeader(call.headers, 'idempotency-key');
    if (call.method === 'POST' && idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    if (call.account !== undefined) headers['Stripe-Account'] = call.account;
    return headers;
  }
}

function recordOf(arrived: ArrivedRequest, params: Record<string, unknown>, idempotencyKey: string | undefined): RecordedRequest {
  const headers: RecordedRequest['headers'] = { ...arrived.headers };
  if (typeof headers.authorization === 'string') headers.authorization = maskAuthorizationHeader(headers.authorization);
  const record: RecordedRequest = {
    method: arrived.method,
    path: arrived.path,
    query: arrived.query,
    headers,
    rawBody: arrived.rawBody,
    params,
    status: null,
    replayed: false,
    at: Date.now(),
  };
  if (idempotencyKey !== undefined) record.idempotencyKey = idempotencyKey;
  return record;
}
