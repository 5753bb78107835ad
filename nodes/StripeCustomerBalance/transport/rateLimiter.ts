/**
 * One of Stripe's limiters as the node paces it (the account's, one endpoint's, or Search's): turns spaced evenly at a
 * ceiling of requests per second (no bursts, so Stripe's per-second window is never overrun), slowed when Stripe
 * answers that this limiter refused a request anyway (another process or client shares it) to what Stripe let through,
 * and climbing back to the ceiling over the following seconds. The Pacer (pacer.ts) hands out turns that need every
 * limiter a request counts against.
 */
// A window of WINDOW_MS holds at most TURNS_SHARE of the ceiling (one request fewer than Stripe's 25/s, 19 of Search's
// 20/s, 96 of 100/s), and turns are spaced evenly at that pace. The window is a little longer than Stripe's second and
// one turn short of it: a request that reaches Stripe up to ~70 ms later than the ones after it (the first of a run
// often does) still leaves Stripe's window within its limit. Timers fire late, so a late turn is made up, by at most
// CATCH_UP turns, and never so that the window holds more turns than it may.
const TURNS_SHARE = 0.96;
const WINDOW_MS = 1025;
const CATCH_UP = 1;

/** Turns one window may hold at this rate. */
function turnsPerWindow(rate: number): number {
	return Math.max(1, Math.floor(rate * TURNS_SHARE));
}

/**
 * After a 429 the rate becomes a little less (SHARE_KEPT) than the share of this limiter's requests of the last second
 * that Stripe let through: two processes offering 24/s each under an endpoint limit of 25/s see about half go through,
 * each keeps a little under half, and together they are just under the limit. Never less than half of the rate.
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

/**
 * When the slowdowns come often (another process shares the limiter and probes too), each waits longer before
 * climbing: two seconds per slowdown of the last RECENT_MS, at most MAX_HOLD_MS. Alone again, none are recent.
 */
const RECENT_MS = 30_000;
const MAX_HOLD_MS = 8_000;

/**
 * A concurrency refusal caps the requests in flight at this share of those in flight then; the cap rises by one a
 * second while no such refusal comes, and goes after CONCURRENCY_CAP_MS without one.
 */
const CONCURRENCY_KEPT = 0.75;
const CONCURRENCY_CAP_MS = 30_000;

export class RateLimiter {
	private nextSlot = 0;

	/**
	 * When the requests of the last window left: the window counts sends, not hand-outs, since a busy event loop can
	 * hold a request between its turn and its send, and then it reaches Stripe together with later ones.
	 */
	private readonly handedOut: number[] = [];

	/** Turns handed out whose request has not left yet: they count in every window until they do. */
	private unsent = 0;

	/** The rate right after the last slowdown; undefined once it has recovered to the ceiling. */
	private slowedTo: number | undefined;

	private lastSlowdown = 0;

	/** When the slowdowns of the last RECENT_MS came. */
	private readonly slowdowns: number[] = [];

	/** How long the rate stays at slowedTo before it climbs. */
	private holdMs = 0;

	/** Replies of the last SHARE_WINDOW_MS: whether this limiter let each request through. */
	private readonly replies: Array<{ at: number; admitted: boolean }> = [];

	/** Requests that took a turn and have no reply yet. */
	private inFlight = 0;

	private inFlightCap: number | undefined;

	private lastConcurrencyRefusal = 0;

	constructor(private ceiling: number) {}

	/** A new ceiling applies to the next turn; a rate slowed by 429s stays slowed and recovers toward it. */
	setCeiling(ceiling: number): void {
		this.ceiling = ceiling;
	}

	/** The rate turns are handed out at now: the ceiling, or less after a 429, recovering. */
	rateAt(now: number): number {
		if (this.slowedTo === undefined) return this.ceiling;
		const seconds = Math.max(0, now - this.lastSlowdown - this.holdMs) / 1000;
		const recovered = this.slowedTo + (this.ceiling * FIRST_SECOND_RECOVERY * (8 ** seconds - 1)) / 7;
		if (recovered < this.ceiling) return Math.min(recovered, this.ceiling);
		this.slowedTo = undefined;
		return this.ceiling;
	}

	/** How many requests may be in flight at once now; undefined: no cap (no concurrency refusal lately). */
	inFlightCapAt(now: number): number | undefined {
		if (this.inFlightCap === undefined) return undefined;
		const since = now - this.lastConcurrencyRefusal;
		if (since >= CONCURRENCY_CAP_MS) {
			this.inFlightCap = undefined;
			return undefined;
		}
		return this.inFlightCap + Math.floor(since / 1000);
	}

	/** Milliseconds until this limiter can give a turn: 0 now, Infinity while the in-flight cap is reached. */
	waitMs(now: number): number {
		const cap = this.inFlightCapAt(now);
		if (cap !== undefined && this.inFlight >= cap) return Infinity;
		const rate = this.rateAt(now);
		while (this.handedOut.length > 0 && this.handedOut[0] <= now - WINDOW_MS) this.handedOut.shift();
		const windowFull = this.unsent + this.handedOut.length >= turnsPerWindow(rate);
		// full of unsent turns only: the sends wake the pacer (or the next slot does)
		const windowFreesAt = this.handedOut.length > 0 ? this.handedOut[0] + WINDOW_MS - now : Infinity;
		return Math.max(0, this.nextSlot - now, windowFull ? windowFreesAt : 0);
	}

	/** Hands out a turn (waitMs was 0). */
	take(now: number): void {
		// Time spent idle is not credit for a burst.
		if (this.handedOut.length + this.unsent === 0) this.nextSlot = Math.max(this.nextSlot, now);
		this.unsent += 1;
		this.inFlight += 1;
		const interval = WINDOW_MS / turnsPerWindow(this.rateAt(now));
		this.nextSlot = Math.max(this.nextSlot + interval, now - CATCH_UP * interval);
	}

	/** The request of a turn leaves now. */
	sent(now: number): void {
		this.unsent = Math.max(0, this.unsent - 1);
		this.handedOut.push(now);
	}

	/** The request of a turn is over (answered or failed). */
	finished(): void {
		this.inFlight = Math.max(0, this.inFlight - 1);
	}

	/** A reply that this limiter did not refuse. */
	onAdmitted(now = Date.now()): void {
		this.remember(now, true);
	}

	/**
	 * This limiter refused a request (429 rate_limit): slows down to the share of the last second's requests that
	 * Stripe let through, at most once a second, since the 429s of one burst arrive together and are one signal.
	 */
	onRateLimited(now = Date.now()): void {
		this.remember(now, false);
		if (now - this.lastSlowdown < 1000) return;
		const admitted = this.replies.filter((reply) => reply.admitted).length;
		const kept = Math.max(KEPT_AT_LEAST, (SHARE_KEPT * admitted) / this.replies.length);
		this.slowedTo = Math.max(1, this.rateAt(now) * kept);
		while (this.slowdowns.length > 0 && this.slowdowns[0] <= now - RECENT_MS) this.slowdowns.shift();
		this.holdMs = Math.min(MAX_HOLD_MS, this.slowdowns.length * 2000);
		this.slowdowns.push(now);
		this.lastSlowdown = now;
	}

	/** This limiter refused a request for too many in flight: fewer at once, at most one cut a second. */
	onConcurrencyLimited(now = Date.now()): void {
		if (now - this.lastConcurrencyRefusal < 1000) return;
		// the refused request was in flight too
		this.inFlightCap = Math.max(1, Math.floor((this.inFlight + 1) * CONCURRENCY_KEPT));
		this.lastConcurrencyRefusal = now;
	}

	private remember(now: number, admitted: boolean): void {
		this.replies.push({ at: now, admitted });
		while (this.replies[0].at <= now - SHARE_WINDOW_MS) this.replies.shift();
	}
}
