import { sleep } from 'n8n-workflow';

/**
 * Spaces requests evenly at a ceiling of requests per second (no bursts, so Stripe's per-second window is never
 * overrun), backs off when Stripe answers 429 rate_limit anyway (another client shares the key), and creeps back up.
 */
export class RateLimiter {
	private rate: number;

	private nextSlot = 0;

	constructor(private readonly ceiling: number) {
		this.rate = ceiling;
	}

	get currentRate(): number {
		return this.rate;
	}

	async acquire(): Promise<void> {
		const now = Date.now();
		const slot = Math.max(now, this.nextSlot);
		this.nextSlot = slot + 1000 / this.rate;
		if (slot > now) await sleep(slot - now);
	}

	onRateLimited(): void {
		this.rate = Math.max(1, this.rate * 0.7);
	}

	onSuccess(): void {
		if (this.rate < this.ceiling) this.rate = Math.min(this.ceiling, this.rate + this.ceiling / 100);
	}
}

/** Stripe's documented limits: 100 requests/s in live mode, 25/s in test mode and sandboxes. We stay a little below. */
export function defaultRequestsPerSecond(secretKey: string): number {
	return /^(sk|rk)_live_/.test(secretKey) ? 95 : 24;
}
