/**
 * Runs one job per item with a bounded number in flight. Jobs that share a lane (writes to one customer) run one at a
 * time in input order, because Stripe locks a customer during a write and answers overlapping writes with lock_timeout.
 * After a failure with `stopOnFailure`, no new job starts; the ones in flight finish.
 */
export interface Job<T> {
	lane?: string;
	run: () => Promise<T>;
}

export type JobResult<T> = { ok: true; value: T } | { ok: false; error: unknown } | undefined;

export async function runJobs<T>(
	jobs: Array<Job<T> | undefined>,
	concurrency: number,
	stopOnFailure: boolean,
): Promise<JobResult<T>[]> {
	const results: JobResult<T>[] = new Array(jobs.length).fill(undefined);
	// Lanes in order of first appearance; each holds its item indexes in input order.
	const lanes = new Map<string, number[]>();
	jobs.forEach((job, index) => {
		if (!job) return;
		const lane = job.lane ?? `#${index}`;
		const queue = lanes.get(lane);
		if (queue) queue.push(index);
		else lanes.set(lane, [index]);
	});
	const ready = [...lanes.values()];
	let readyHead = 0;
	let stopped = false;

	const worker = async (): Promise<void> => {
		while (!stopped && readyHead < ready.length) {
			const queue = ready[readyHead++];
			const index = queue.shift() as number;
			try {
				results[index] = { ok: true, value: await (jobs[index] as Job<T>).run() };
			} catch (error) {
				results[index] = { ok: false, error };
				if (stopOnFailure) stopped = true;
			}
			if (queue.length > 0) ready.push(queue);
		}
	};

	const workers = Math.max(1, Math.min(concurrency, lanes.size));
	await Promise.all(Array.from({ length: workers }, worker));
	return results;
}
