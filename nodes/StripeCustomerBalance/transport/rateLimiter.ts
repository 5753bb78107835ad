import { sleep } from 'n8n-workflow';

/**
 * Spaces requests evenly at a ceiling of requests per second (no bursts, so Stripe's per-second window is never
 * overrun), backs off when Stripe answers 429 rate_limit anyway (another client shares the key), and creeps back up.
 */
// Requests are spaced for 98% of the ceiling: timer jitter bunches a few requests together, and a window that is
// exactly full then answers 429.
const PACING_MARGIN = 0.98;

export class RateLimiter {
	private rate: number;

	private nextSlot = 0;

	private lastSlowdown = 0;

	constructor(private readonly ceiling: number) {
		this.rate = ceiling;
	}

	get currentRate(): number {
		return this.rate;
	}

	async acquire(): Promise<void> {
		const now = Date.now();
		const slot = Math.max(now, this.nextSlot);
		this.nextSlot = slot + 1000 / (this.rate * PACING_MARGIN);
		if (slot > now) await sleep(slot - now);
	}

	/** Halves the rate, at most once a second: the 429s of one burst arrive together and are one signal. */
	onRateLimited(): void {
		const now = Date.now();
		if (now - this.lastSlowdown < 1000) return;
		this.lastSlowdown = now;
		this.rate = Math.max(1, this.rate / 2);
	}

	onSuccess(): void {
		if (this.rate < this.ceiling) this.rate = Math.min(this.ceiling, this.rate + this.ceiling / 50);
	}
}

/** Stripe's documented limits: 100 requests/s in live mode, 25/s in test mode and sandboxes. We stay a little below. */
export function defaultRequestsPerSecond(secretKey: string): number {
	return /^(sk|rk)_live_/.test(secretKey) ? 95 : 24;
}
