import { createHash } from 'crypto';

import { Pacer, type PacerLimits, type Turn, type TurnOutcome } from './pacer';

/**
 * State shared by every execution of this n8n process: one pacer per Stripe account. n8n loads a node's module once per
 * process (the main process, or one queue-mode worker), so executions that run at once meet here, and their requests
 * are held together under the account's rate limits (global, per endpoint, Search). Accounts are known by a hash; the
 * secret key itself is never kept. (Per-customer locks are execution/customerOrder.ts's.)
 */

/** A pacer nobody has used for this long, with no execution attached, is dropped. */
const IDLE_MS = 60_000;
const SWEEP_EVERY_MS = 10_000;

/** An execution's own limits (Options): the account's requests per second, each endpoint's. Unset: Stripe's. */
export interface LimitSettings {
	global?: number;
	endpoint?: number;
}

/** The pacer of one account, under the lowest limits the running executions asked for, else Stripe's defaults. */
export class AccountPacer {
	private readonly pacer: Pacer;

	private readonly settings = new Map<object, LimitSettings>();

	private lastUsed = Date.now();

	constructor(private readonly defaults: PacerLimits) {
		this.pacer = new Pacer(defaults);
	}

	/** An execution that set its own limits: they hold for the account until it leaves. */
	join(member: object, settings: LimitSettings): void {
		this.settings.set(member, settings);
		this.pacer.setLimits(this.limits());
	}

	leave(member: object): void {
		this.settings.delete(member);
		this.pacer.setLimits(this.limits());
		this.lastUsed = Date.now();
	}

	/** `urgent`: more writes to a customer wait behind this request: its turn comes before the others' of its endpoint. */
	async acquire(endpoint: string, urgent = false): Promise<Turn> {
		this.lastUsed = Date.now();
		return await this.pacer.acquire(endpoint, urgent);
	}

	/** The request of a turn leaves now. */
	sent(turn: Turn): void {
		this.pacer.sent(turn);
	}

	/** Stripe answered (or not): a 429 rate_limit slows the limiter it names. */
	settle(turn: Turn, outcome: TurnOutcome): void {
		this.pacer.settle(turn, outcome);
	}

	/** The rate the account's limiter, or one endpoint's, hands turns out at now. */
	rateAt(now: number, endpoint?: string): number {
		return this.pacer.rateAt(now, endpoint);
	}

	isIdle(now: number): boolean {
		return this.settings.size === 0 && this.pacer.queued === 0 && now - this.lastUsed > IDLE_MS;
	}

	private limits(): PacerLimits {
		const lowest = (name: keyof LimitSettings) =>
			Math.min(...[...this.settings.values()].map((settings) => settings[name] ?? Infinity));
		const global = lowest('global');
		const endpoint = lowest('endpoint');
		return {
			global: global === Infinity ? this.defaults.global : global,
			endpoint: endpoint === Infinity ? this.defaults.endpoint : endpoint,
		};
	}
}

export class AccountPacers {
	private readonly pacers = new Map<string, AccountPacer>();

	private lastSweep = Date.now();

	/** How many accounts have a pacer now (for tests: memory stays bounded). */
	get size(): number {
		return this.pacers.size;
	}

	pacer(accountId: string, defaults: PacerLimits, now = Date.now()): AccountPacer {
		this.sweep(now);
		let pacer = this.pacers.get(accountId);
		if (!pacer) {
			pacer = new AccountPacer(defaults);
			this.pacers.set(accountId, pacer);
		}
		return pacer;
	}

	private sweep(now: number): void {
		if (now - this.lastSweep < SWEEP_EVERY_MS) return;
		this.lastSweep = now;
		for (const [id, pacer] of this.pacers) if (pacer.isIdle(now)) this.pacers.delete(id);
	}
}

/** The platform account: the secret key and the base URL, of which only a digest is kept. */
export function platformAccountId(secretKey: string, baseUrl: string): string {
	return createHash('sha256').update(JSON.stringify([secretKey, baseUrl])).digest('base64url');
}

/** An account is the platform account and, with Stripe Connect, the connected account acted for. */
export function accountId(platformAccount: string, stripeAccount: string | undefined): string {
	return stripeAccount ? `${platformAccount}/${stripeAccount}` : platformAccount;
}

/** The pacers of this process. */
export const processPacers = new AccountPacers();
