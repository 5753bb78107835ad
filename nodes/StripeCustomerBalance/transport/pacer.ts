import { sleep } from 'n8n-workflow';

import { RateLimiter } from './rateLimiter';
import { isSearch, SEARCH_LIMIT, type Refusal } from './stripeLimits';

/** The limiters one request counts against, and whether it is still in flight. */
export interface Turn {
	readonly endpoint: string;
	readonly limiters: RateLimiter[];
	/** Whether its request has left (`sent`). */
	sent: boolean;
}

/** How Stripe answered the request of a turn. */
export type TurnOutcome = { kind: 'admitted' } | { kind: 'refused'; by: Refusal } | { kind: 'no-reply' };

interface Lane {
	/** The endpoint's limiter, then Search's if it is a search, then the account's. */
	limiters: RateLimiter[];
	/** Served before `waiting`: requests that hold a customer's lock, and reads an execution waits on. */
	urgent: Array<{ seq: number; resolve: () => void }>;
	waiting: Array<{ seq: number; resolve: () => void }>;
}

export interface PacerLimits {
	/** The account's global limit (requests per second). */
	global: number;
	/** Each endpoint's limit. */
	endpoint: number;
}

/**
 * Hands out turns for one Stripe account. A turn needs every limiter the request counts against to have room at once:
 * its endpoint's, Search's for a search, and the account's. Requests of one endpoint go in the order they asked (those
 * asked `urgent` before the others); endpoints do not wait for each other, only for the account's limit.
 */
export class Pacer {
	private readonly global: RateLimiter;

	private readonly search = new RateLimiter(SEARCH_LIMIT);

	private readonly lanes = new Map<string, Lane>();

	private limits: PacerLimits;

	private seq = 0;

	private pumping = false;

	/** Wakes the pump early from a sleep: a request arrived for an idle endpoint, or a request finished. */
	private wake: (() => void) | undefined;

	constructor(limits: PacerLimits) {
		this.limits = { ...limits };
		this.global = new RateLimiter(limits.global);
	}

	/** Requests waiting for a turn: a pacer with none may be dropped. */
	get queued(): number {
		let count = 0;
		for (const lane of this.lanes.values()) count += lane.urgent.length + lane.waiting.length;
		return count;
	}

	/** New limits apply to the next turn; a rate slowed by 429s stays slowed and recovers toward its new ceiling. */
	setLimits(limits: PacerLimits): void {
		this.limits = { ...limits };
		this.global.setCeiling(limits.global);
		for (const lane of this.lanes.values()) lane.limiters[0].setCeiling(this.limits.endpoint);
	}

	/** The rate the account's limiter, or one endpoint's, hands turns out at now (after 429s: slowed, recovering). */
	rateAt(now: number, endpoint?: string): number {
		if (endpoint === undefined) return this.global.rateAt(now);
		return this.lanes.get(endpoint)?.limiters[0].rateAt(now) ?? this.limits.endpoint;
	}

	/** Waits for this request's turn; `urgent`: before the requests of its endpoint that are not. */
	async acquire(endpoint: string, urgent = false): Promise<Turn> {
		const lane = this.lane(endpoint);
		const wasIdle = lane.urgent.length + lane.waiting.length === 0;
		await new Promise<void>((resolve) => {
			(urgent ? lane.urgent : lane.waiting).push({ seq: this.seq++, resolve });
			if (!this.pumping) void this.pump();
			else if (wasIdle) this.wake?.();
		});
		return { endpoint, limiters: lane.limiters, sent: false };
	}

	/** The request of a turn leaves now: from now on it counts in the limiters' windows at this time. */
	sent(turn: Turn, now = Date.now()): void {
		if (turn.sent) return;
		turn.sent = true;
		for (const limiter of turn.limiters) limiter.sent(now);
		this.wake?.();
	}

	/** The request of a turn is over: the limiter Stripe named slows down, and the others count a request let through. */
	settle(turn: Turn, outcome: TurnOutcome, now = Date.now()): void {
		const [endpointLimiter] = turn.limiters;
		this.sent(turn, now);
		for (const limiter of turn.limiters) {
			limiter.finished();
			if (outcome.kind === 'no-reply') continue;
			const refused = outcome.kind === 'refused' && (outcome.by === 'global-rate' ? limiter === this.global : outcome.by === 'endpoint-rate' && limiter !== this.global);
			if (refused) limiter.onRateLimited(now);
			else limiter.onAdmitted(now);
		}
		if (outcome.kind === 'refused' && outcome.by === 'global-concurrency') this.global.onConcurrencyLimited(now);
		if (outcome.kind === 'refused' && outcome.by === 'endpoint-concurrency') endpointLimiter.onConcurrencyLimited(now);
		this.wake?.();
	}

	private lane(endpoint: string): Lane {
		let lane = this.lanes.get(endpoint);
		if (!lane) {
			const limiters = [new RateLimiter(this.limits.endpoint), ...(isSearch(endpoint) ? [this.search] : []), this.global];
			lane = { limiters, urgent: [], waiting: [] };
			this.lanes.set(endpoint, lane);
		}
		return lane;
	}

	private async pump(): Promise<void> {
		this.pumping = true;
		while (this.queued > 0) {
			const now = Date.now();
			let chosen: Lane | undefined;
			let chosenRank = Infinity;
			let soonest = Infinity;
			for (const lane of this.lanes.values()) {
				const head = lane.urgent[0] ?? lane.waiting[0];
				if (!head) continue;
				const wait = Math.max(...lane.limiters.map((limiter) => limiter.waitMs(now)));
				// an urgent request outranks every request that is not
				const rank = lane.urgent.length > 0 ? head.seq - Number.MAX_SAFE_INTEGER : head.seq;
				if (wait > 0) soonest = Math.min(soonest, wait);
				else if (rank < chosenRank) {
					chosen = lane;
					chosenRank = rank;
				}
			}
			if (chosen) {
				for (const limiter of chosen.limiters) limiter.take(now);
				(chosen.urgent.shift() ?? (chosen.waiting.shift() as { resolve: () => void })).resolve();
				continue;
			}
			// Infinity: every lane waits for requests in flight to finish, which wakes the pump.
			await new Promise<void>((resolve) => {
				this.wake = resolve;
				if (soonest !== Infinity) void sleep(soonest).then(resolve);
			});
			this.wake = undefined;
		}
		this.pumping = false;
	}
}
