/**
 * Per-customer ordering, the one home for it. Stripe locks a customer during a write and answers overlapping writes
 * with lock_timeout, so writes to one customer go one at a time, in input order:
 * - `customerKey`: the customer of one account (platform account, and the connected account acted for), the lane's name;
 * - within an execution, the JobRunner runs jobs with a bounded number in flight and one lane per customer;
 * - across the executions of this process, a job of a lane holds the customer's lock (`customerLocks`) while it runs.
 * A job is `urgent` when more writes to its customer wait behind it (in its lane or for the lock): its request's turn
 * at the account's pacer comes first, so a customer with many writes (a serial chain, the longest path of a run) keeps
 * moving instead of queueing behind every other request.
 */

/** `account`: the account id the writes go to (accountPacers.accountId). */
export function customerKey(account: string, customerId: string): string {
	return `${account}\u0000${customerId}`;
}

/**
 * One-at-a-time sections by key, granted in the order they were asked for. An entry lives only while its key is held
 * or awaited, so the map never outgrows the work in progress.
 */
export class KeyedLocks {
	/** Per held key: who waits for it next, in arrival order. */
	private readonly queues = new Map<string, Array<() => void>>();

	get size(): number {
		return this.queues.size;
	}

	/** How many wait for `key` now. */
	waiting(key: string): number {
		return this.queues.get(key)?.length ?? 0;
	}

	async run<T>(key: string, section: () => Promise<T>): Promise<T> {
		await this.acquire(key);
		try {
			return await section();
		} finally {
			this.release(key);
		}
	}

	private async acquire(key: string): Promise<void> {
		const queue = this.queues.get(key);
		if (!queue) {
			this.queues.set(key, []);
			return;
		}
		await new Promise<void>((resolve) => queue.push(resolve));
	}

	private release(key: string): void {
		const queue = this.queues.get(key);
		const next = queue?.shift();
		if (next) next();
		else this.queues.delete(key);
	}
}

/** State shared by the executions of this process: one lock per customer key, granted in arrival order. */
const customerLocks = new KeyedLocks();

/**
 * Jobs may be added while others already run (items are sent while later ones are still being prepared); after a
 * failure that `stopsOthers` says must stop the run, no new job starts and the ones in flight finish.
 */
export interface Job<T> {
	/** A write to one customer (`customerKey`): it runs in the customer's lane and holds its lock. */
	customer?: string;
	run: (turn: { urgent: boolean }) => Promise<T>;
}

export type JobResult<T> = { ok: true; value: T } | { ok: false; error: unknown } | undefined;

interface Lane {
	queue: number[];
	/** In the ready list or running: it must not be scheduled twice. */
	scheduled: boolean;
}

export class JobRunner<T> {
	readonly results: JobResult<T>[] = [];

	private readonly jobs = new Map<number, Job<T>>();

	private readonly lanes = new Map<string, Lane>();

	private readonly ready: Lane[] = [];

	/**
	 * Lanes whose previous job just finished, served before `ready`: a customer with many writes is a serial chain, the
	 * longest path of the run, so it keeps going instead of waiting behind every other item each time.
	 */
	private readonly continuing: Lane[] = [];

	private readyHead = 0;

	private closed = false;

	private stopped = false;

	private waiting: Array<() => void> = [];

	/**
	 * Workers start as jobs arrive, up to `concurrency`: most executions carry one item (a webhook, one credit), and
	 * `concurrency` idle workers each would be CPU spent on every execution for nothing.
	 */
	private readonly workers: Array<Promise<void>> = [];

	private readonly concurrency: number;

	constructor(concurrency: number, private readonly stopsOthers: (error: unknown) => boolean) {
		this.concurrency = Math.max(1, concurrency);
	}

	add(index: number, job: Job<T>): void {
		this.jobs.set(index, job);
		const key = job.customer ?? `#${index}`;
		let lane = this.lanes.get(key);
		if (!lane) {
			lane = { queue: [], scheduled: false };
			this.lanes.set(key, lane);
		}
		lane.queue.push(index);
		if (!lane.scheduled) this.schedule(lane);
	}

	/** No more jobs will be added; resolves when every job added has run (or was skipped after a failure). */
	async close(): Promise<JobResult<T>[]> {
		this.closed = true;
		this.wakeAll();
		await Promise.all(this.workers);
		return this.results;
	}

	private schedule(lane: Lane, continuing = false): void {
		lane.scheduled = true;
		(continuing ? this.continuing : this.ready).push(lane);
		const idle = this.waiting.shift();
		if (idle) idle();
		// A continuing lane is taken by the worker that just finished its previous job.
		else if (!continuing && this.workers.length < this.concurrency) this.workers.push(Promise.resolve().then(async () => await this.work()));
	}

	private next(): Lane | undefined {
		return this.continuing.shift() ?? (this.readyHead < this.ready.length ? this.ready[this.readyHead++] : undefined);
	}

	private wakeAll(): void {
		const waiting = this.waiting;
		this.waiting = [];
		for (const wake of waiting) wake();
	}

	private async run(job: Job<T>, lane: Lane): Promise<T> {
		const { customer } = job;
		if (customer === undefined) return await job.run({ urgent: false });
		return await customerLocks.run(customer, async () => await job.run({ urgent: lane.queue.length > 0 || customerLocks.waiting(customer) > 0 }));
	}

	private async work(): Promise<void> {
		while (!this.stopped) {
			const lane = this.next();
			if (lane) {
				const index = lane.queue.shift() as number;
				try {
					this.results[index] = { ok: true, value: await this.run(this.jobs.get(index) as Job<T>, lane) };
				} catch (error) {
					this.results[index] = { ok: false, error };
					if (this.stopsOthers(error)) {
						this.stopped = true;
						this.wakeAll();
					}
				}
				this.jobs.delete(index);
				lane.scheduled = false;
				if (lane.queue.length > 0) this.schedule(lane, true);
			} else if (this.closed) {
				return;
			} else {
				await new Promise<void>((resolve) => this.waiting.push(resolve));
			}
		}
	}
}
