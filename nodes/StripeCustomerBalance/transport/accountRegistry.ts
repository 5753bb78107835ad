import { createHash } from 'crypto';

import { KeyedLocks } from './keyedLocks';
import { RateLimiter } from './rateLimiter';

/**
 * State shared by every execution of this n8n process. n8n loads a node's module once per process (the main process,
 * or one queue-mode worker), so executions that run at once meet here: per Stripe account one pacer, which holds them
 * together under the account's rate limit, and per customer one lock, which lets their writes to that customer through
 * one at a time, in arrival order. Accounts are known by a hash; the secret key itself is never kept.
 */

/** A pacer nobody has used for this long, with no execution attached, is dropped. */
const IDLE_MS = 60_000;
const SWEEP_EVERY_MS = 10_000;

/** The rate limiter of one account, under the lowest ceiling any running execution asked for. */
export class AccountPacer {
	private readonly limiter: RateLimiter;

	private readonly ceilings = new Map<object, number>();

	private lastUsed = Date.now();

	constructor(private readonly defaultCeiling: number) {
		this.limiter = new RateLimiter(defaultCeiling);
	}

	/** An execution that set Max Requests per Second: its ceiling holds for the account until it leaves. */
	join(member: object, ceiling: number): void {
		this.ceilings.set(member, ceiling);
		this.limiter.setCeiling(this.ceiling());
	}

	leave(member: object): void {
		this.ceilings.delete(member);
		this.limiter.setCeiling(this.ceiling());
		this.lastUsed = Date.now();
	}

	/** `first`: more writes to a customer wait behind this request: its turn comes before the others'. */
	async acquire(first = false): Promise<void> {
		this.lastUsed = Date.now();
		await this.limiter.acquire(first);
	}

	/** Stripe answered: with 429 rate_limit (`admitted` false: the pacer slows down), or anything else. */
	onReply(admitted: boolean): void {
		if (admitted) this.limiter.onAdmitted();
		else this.limiter.onRateLimited();
	}

	isIdle(now: number): boolean {
		return this.ceilings.size === 0 && this.limiter.queued === 0 && now - this.lastUsed > IDLE_MS;
	}

	private ceiling(): number {
		return this.ceilings.size === 0 ? this.defaultCeiling : Math.min(...this.ceilings.values());
	}
}

export class AccountRegistry {
	private readonly pacers = new Map<string, AccountPacer>();

	private readonly customerLocks = new KeyedLocks();

	private lastSweep = Date.now();

	/** How many accounts and customer locks are held now (for tests: memory stays bounded). */
	get size(): { pacers: number; customerLocks: number } {
		return { pacers: this.pacers.size, customerLocks: this.customerLocks.size };
	}

	pacer(accountId: string, defaultCeiling: number, now = Date.now()): AccountPacer {
		this.sweep(now);
		let pacer = this.pacers.get(accountId);
		if (!pacer) {
			pacer = new AccountPacer(defaultCeiling);
			this.pacers.set(accountId, pacer);
		}
		return pacer;
	}

	/**
	 * Runs `write` when every earlier write to this customer of this account, from any execution, has finished;
	 * `othersWaiting()` tells it whether later writes to the customer already wait for it.
	 */
	async oneAtATime<T>(accountId: string, customerLane: string, write: (othersWaiting: () => boolean) => Promise<T>): Promise<T> {
		const key = `${accountId}\u0000${customerLane}`;
		return await this.customerLocks.run(key, async () => await write(() => this.customerLocks.waiting(key) > 0));
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

/** The one registry of this process. */
export const processAccounts = new AccountRegistry();
