/** Fault injection settings, the scripted fault queue, and the seeded dice behind the random fault rates. */
import type { SandboxFaults, SandboxScriptedFault, ScriptedFaultKind } from './types';

export const DEFAULT_FAULTS: Readonly<SandboxFaults> = Object.freeze({
  latencyMs: 0,
  rateLimitPerSecond: 'stripe',
  liveModeLimits: false,
  endpointRateLimitPerSecond: 25,
  endpointRateLimits: {},
  searchRateLimitPerSecond: 20,
  lockTimeouts: true,
  serverErrorRate: 0,
  dropAfterCommitRate: 0,
  slowReplyRate: 0,
  slowReplyMs: 5000,
  idempotencyKeyTtlMs: null,
  seed: 1,
  script: [],
});

/** Every rate limiter off (a test or bench about something else than pacing). */
export const NO_RATE_LIMITS = Object.freeze({ rateLimitPerSecond: null, endpointRateLimitPerSecond: null, searchRateLimitPerSecond: null });

/** Drawn for every request on arrival, so a given seed and arrival order always give the same faults. */
export interface FaultDice {
  serverError: number;
  dropAfterCommit: number;
  slowReply: number;
}

export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private settings: SandboxFaults = copyFaults(DEFAULT_FAULTS);
  private random = mulberry32(DEFAULT_FAULTS.seed);

  get current(): Readonly<SandboxFaults> {
    return this.settings;
  }

  update(change: Partial<SandboxFaults>): void {
    const next = copyFaults({ ...this.settings, ...change });
    checkFaults(next);
    this.settings = next;
    if (change.seed !== undefined) this.random = mulberry32(next.seed);
  }

  reset(): void {
    this.settings = copyFaults(DEFAULT_FAULTS);
    this.random = mulberry32(DEFAULT_FAULTS.seed);
  }

  rollDice(): FaultDice {
    return { serverError: this.random(), dropAfterCommit: this.random(), slowReply: this.random() };
  }

  /** Removes and returns the first script entry matching this request. */
  takeScripted(method: string, path: string): SandboxScriptedFault | undefined {
    const index = this.settings.script.findIndex(
      (entry) => (entry.method === undefined || entry.method === method) && (entry.pathIncludes === undefined || path.includes(entry.pathIncludes)),
    );
    if (index === -1) return undefined;
    return this.settings.script.splice(index, 1)[0];
  }
}

function copyFaults(faults: Readonly<SandboxFaults>): SandboxFaults {
  return { ...faults, endpointRateLimits: { ...faults.endpointRateLimits }, script: faults.script.map((entry: SandboxScriptedFault) => ({ ...entry })) };
}

const SCRIPTED_KINDS: readonly ScriptedFaultKind[] = [
  '500',
  '503',
  'drop-after-commit',
  'drop-before-commit',
  'slow-after-commit',
  'rate_limit',
  'lock_timeout',
  '409',
  'should-retry-false-500',
];

function checkFaults(faults: SandboxFaults): void {
  const fraction = (name: keyof SandboxFaults) => {
    const value = faults[name];
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new RangeError(`${name} must be a number in [0, 1]`);
  };
  fraction('serverErrorRate');
  fraction('dropAfterCommitRate');
  fraction('slowReplyRate');
  if (typeof faults.liveModeLimits !== 'boolean') throw new RangeError('liveModeLimits must be true or false');
  if (!(faults.latencyMs >= 0)) throw new RangeError('latencyMs must be >= 0');
  if (!(faults.slowReplyMs >= 0)) throw new RangeError('slowReplyMs must be >= 0');
  if (!Number.isInteger(faults.seed)) throw new RangeError('seed must be an integer');
  const limit = (name: string, value: unknown) => {
    if (value !== null && !(Number.isInteger(value) && (value as number) > 0)) throw new RangeError(`${name} must be a positive integer or null`);
  };
  if (faults.rateLimitPerSecond !== 'stripe') limit('rateLimitPerSecond', faults.rateLimitPerSecond);
  limit('endpointRateLimitPerSecond', faults.endpointRateLimitPerSecond);
  limit('searchRateLimitPerSecond', faults.searchRateLimitPerSecond);
  for (const [endpoint, value] of Object.entries(faults.endpointRateLimits)) limit(`endpointRateLimits['${endpoint}']`, value);
  for (const entry of faults.script) {
    if (!SCRIPTED_KINDS.includes(entry.fault)) throw new RangeError(`unknown scripted fault '${entry.fault}'`);
  }
}
