/** What the pipeline knows about one request, and the shared sandbox state it works on. */
import type { IncomingHttpHeaders } from 'node:http';
import type { ApiKeyGrant, ApiKeyRegistry } from './auth';
import type { FaultDice, FaultInjector } from './faults';
import type { RequestGate } from './gate';
import type { IdempotencyStore } from './idempotency';
import type { KeyedLocks } from './locks';
import type { ParamsResult } from './params';
import type { SlidingWindowRateLimiter } from './rateLimit';
import type { SandboxStore } from './store';
import type { CancellableTimers } from './timers';
import type { WebhookDispatcher } from './webhooks/deliveries';
import type { RecordedRequest, SandboxStats } from './types';

export interface SandboxState {
  keys: ApiKeyRegistry;
  store: SandboxStore;
  faults: FaultInjector;
  limiter: SlidingWindowRateLimiter;
  idempotency: IdempotencyStore;
  locks: KeyedLocks;
  timers: CancellableTimers;
  gate: RequestGate;
  webhooks: WebhookDispatcher;
  /** Requests between arrival and reply right now (stats.peakInFlight keeps the most). */
  inFlight: number;
  stats: SandboxStats;
  requests: RecordedRequest[];
}

export interface ApiCall {
  /** What the request log keeps of it. */
  record: RecordedRequest;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  params: ParamsResult;
  requestId: string;
  idempotencyKey?: string;
  dice: FaultDice;
  /** Set once authenticated. */
  grant?: ApiKeyGrant;
  /** The Stripe-Account header, once known to be valid. */
  account?: string;
  scriptedAfterCommit?: 'drop-after-commit' | 'slow-after-commit';
}

export type Outcome =
  | {
      kind: 'reply';
      status: number;
      body: unknown;
      headers: Record<string, string>;
      replayed: boolean;
      /** A fresh write that executed successfully (random after-commit faults apply only to these). */
      committed: boolean;
      latencyApplied: boolean;
    }
  | { kind: 'drop'; latencyApplied: boolean };
