import { sleep } from 'n8n-workflow';

/**
 * Spaces requests evenly at a ceiling of requests per second (no bursts, so Stripe's per-second window is never
 * overrun), backs off when Stripe answers 429 rate_limit anyway (another client shares the key), and creeps back up.
 */
// Turns follow a fixed schedule a little under the ceiling, which leaves room for the jitter between handing out a
// turn and the request reaching Stripe. Timers fire late, so a late turn is made up, by at most CATCH_UP turns, and
// never so that the last second holds more turns than the ceiling.
const PACING_MARGIN = 0.95;
const CATCH_UP = 1;

export class RateLimiter {
	private rate: number;

	private nextSlot = 0;

	private readonly waiting: Array<() => void> = [];

	/** When the turns of the last second were handed out. */
	private readonly handedOut: number[] = [];

	private pumping = false;

	private lastSlowdown = 0;

	constructor(private readonly ceiling: number) {
		this.rate = ceiling;
	}

	/** Waits for this request's turn; one loop hands out the turns in order. */
	async acquire(): Promise<void> {
		await new Promise<void>((resolve) => {
			this.waiting.push(resolve);
			if (!this.pumping) void this.pump();
		});
	}

	private async pump(): Promise<void> {
		this.pumping = true;
		// Time spent idle is not credit for a burst.
		this.nextSlot = Math.max(this.nextSlot, Date.now());
		while (this.waiting.length > 0) {
			const now = Date.now();
			while (this.handedOut.length > 0 && this.handedOut[0] <= now - 1000) this.handedOut.shift();
			const windowFull = this.handedOut.length >= Math.max(1, Math.floor(this.rate));
			const wait = Math.max(this.nextSlot - now, windowFull ? this.handedOut[0] + 1000 - now : 0);
			if (wait > 0) {
				await sleep(wait);
				continue;
			}
			(this.waiting.shift() as () => void)();
			this.handedOut.push(now);
			const interval = 1000 / (this.rate * PACING_MARGIN);
			this.nextSlot = Math.max(this.nextSlot + interval, Date.now() - CATCH_UP * interval);
		}
		this.pumping = false;
	}

	/** Slows down by a quarter, at most once a second: the 429s of one burst arrive together and are one signal. */
	onRateLimited(): void {
		const now = Date.now();
		if (now - this.lastSlowdown < 1000) return;
		this.lastSlowdown = now;
		this.rate = Math.max(1, this.rate * 0.75);
	}

	onSuccess(): void {
		if (this.rate < this.ceiling) this.rate = Math.min(this.ceiling, this.rate + this.ceiling / 50);
	}
}

/** Stripe's documented limits: 100 requests/s in live mode, 25/s in test mode and sandboxes (paced at 95% of it). */
export function defaultRequestsPerSecond(secretKey: string): number {
	return /^(sk|rk)_live_/.test(secretKey) ? 100 : 25;
}
