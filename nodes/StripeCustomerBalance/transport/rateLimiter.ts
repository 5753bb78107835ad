import { sleep } from 'n8n-workflow';

/**
 * Spaces requests evenly at a ceiling of requests per second (no bursts, so Stripe's per-second window is never
 * overrun), slows down when Stripe answers 429 rate_limit anyway (another process or client shares the key) to what
 * Stripe let through, and climbs back to the ceiling over the following seconds.
 */
// Turns follow a fixed schedule a little under the ceiling, which leaves room for the jitter between handing out a
// turn and the request reaching Stripe. Timers fire late, so a late turn is made up, by at most CATCH_UP turns, and
// never so that the last second holds more turns than the ceiling.
const PACING_MARGIN = 0.95;
const CATCH_UP = 1;
// A ceiling's worth of turns per this window rather than per second: the same as the pacing at full speed, and it
// leaves 50 ms for a request that reaches Stripe later than the ones after it (the first of a run often does).
const WINDOW_MS = 1000 / PACING_MARGIN;

/**
 * After a 429 the rate becomes a little less (SHARE_KEPT) than the share of this pacer's requests of the last second
 * that Stripe let through: two processes offering 95/s each under a limit of 100/s see about half go through, each
 * keeps a little under half, and together they are just under the limit. Never less than half of the rate.
 */
const SHARE_KEPT = 0.95;
const KEPT_AT_LEAST = 0.5;
const SHARE_WINDOW_MS = 1000;

/**
 * Then it climbs back by this share of the ceiling in the first second, and faster and faster while no 429 comes (the
 * step grows eightfold a second): next to other processes it probes gently, and once alone again (the others have
 * finished) it is back at the ceiling within 3 s.
 */
const FIRST_SECOND_RECOVERY = 0.02;

export class RateLimiter {
	private nextSlot = 0;

	private readonly waiting: Array<() => void> = [];

	/** Served before `waiting`: requests that hold a customer's lock. */
	private readonly waitingFirst: Array<() => void> = [];

	/** When the turns of the last window were handed out. */
	private readonly handedOut: number[] = [];

	private pumping = false;

	/** The rate right after the last slowdown; undefined once it has recovered to the ceiling. */
	private slowedTo: number | undefined;

	private lastSlowdown = 0;

	/** Replies of the last SHARE_WINDOW_MS: whether Stripe's rate limit let each request through. */
	private readonly replies: Array<{ at: number; admitted: boolean }> = [];

	constructor(private ceiling: number) {}

	/** Requests waiting for a turn: a limiter with none may be dropped. */
	get queued(): number {
		return this.waiting.length + this.waitingFirst.length;
	}

	/** A new ceiling applies to the next turn; a rate slowed by 429s stays slowed and recovers toward it. */
	setCeiling(ceiling: number): void {
		this.ceiling = ceiling;
	}

	/** Waits for this request's turn; one loop hands out the turns in order, those asked `first` before the others. */
	async acquire(first = false): Promise<void> {
		await new Promise<void>((resolve) => {
			(first ? this.waitingFirst : this.waiting).push(resolve);
			if (!this.pumping) void this.pump();
		});
	}

	/** The rate turns are handed out at now: the ceiling, or less after a 429, recovering. */
	rateAt(now: number): number {
		if (this.slowedTo === undefined) return this.ceiling;
		const seconds = Math.max(0, now - this.lastSlowdown) / 1000;
		const recovered = this.slowedTo + (this.ceiling * FIRST_SECOND_RECOVERY * (8 ** seconds - 1)) / 7;
		if (recovered < this.ceiling) return recovered;
		this.slowedTo = undefined;
		return this.ceiling;
	}

	private async pump(): Promise<void> {
		this.pumping = true;
		// Time spent idle is not credit for a burst.
		this.nextSlot = Math.max(this.nextSlot, Date.now());
		while (this.queued > 0) {
			const now = Date.now();
			const rate = this.rateAt(now);
			while (this.handedOut.length > 0 && this.handedOut[0] <= now - WINDOW_MS) this.handedOut.shift();
			const windowFull = this.handedOut.length >= Math.max(1, Math.floor(rate));
			const wait = Math.max(this.nextSlot - now, windowFull ? this.handedOut[0] + WINDOW_MS - now : 0);
			if (wait > 0) {
				await sleep(wait);
				continue;
			}
			((this.waitingFirst.shift() ?? this.waiting.shift()) as () => void)();
			this.handedOut.push(now);
			const interval = 1000 / (rate * PACING_MARGIN);
			this.nextSlot = Math.max(this.nextSlot + interval, Date.now() - CATCH_UP * interval);
		}
		this.pumping = false;
	}

	/** A reply that was not a 429 rate_limit: Stripe's rate limit let the request through. */
	onAdmitted(now = Date.now()): void {
		this.remember(now, true);
	}

	/**
	 * Slows down to the share of the last second's requests that Stripe let through, at most once a second: the 429s
	 * of one burst arrive together and are one signal.
	 */
	onRateLimited(now = Date.now()): void {
		this.remember(now, false);
		if (now - this.lastSlowdown < 1000) return;
		const admitted = this.replies.filter((reply) => reply.admitted).length;
		const kept = Math.max(KEPT_AT_LEAST, (SHARE_KEPT * admitted) / this.replies.length);
		this.slowedTo = Math.max(1, this.rateAt(now) * kept);
		this.lastSlowdown = now;
	}

	private remember(now: number, admitted: boolean): void {
		this.replies.push({ at: now, admitted });
		while (this.replies[0].at <= now - SHARE_WINDOW_MS) this.replies.shift();
	}
}

/** Stripe's documented limits: 100 requests/s in live mode, 25/s in test mode and sandboxes (paced at 95% of it). */
export function defaultRequestsPerSecond(secretKey: string): number {
	return /^(sk|rk)_live_/.test(secretKey) ? 100 : 25;
}
