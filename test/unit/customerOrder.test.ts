/**
 * Per-customer ordering: the per-item scheduler (bounded concurrency, one lane per customer in input order, stop after
 * a failure) and the customer locks shared by the executions of one process.
 */
import { JobRunner, KeyedLocks, type Job, type JobResult } from '../../nodes/StripeCustomerBalance/execution/customerOrder';

const tick = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** All jobs known up front: results in input order. */
async function runJobs<T>(jobs: Array<Job<T> | undefined>, concurrency: number, stopOnFailure: boolean): Promise<Array<JobResult<T>>> {
	const runner = new JobRunner<T>(concurrency, () => stopOnFailure);
	jobs.forEach((job, index) => job && runner.add(index, job));
	return await runner.close();
}

describe('JobRunner', () => {
	it('never runs more than the concurrency at once and returns results in input order', async () => {
		let inFlight = 0;
		let peak = 0;
		const jobs: Job<number>[] = Array.from({ length: 20 }, (_, index) => ({
			run: async () => {
				inFlight++;
				peak = Math.max(peak, inFlight);
				await tick(5 + ((index * 7) % 11));
				inFlight--;
				return index * 10;
			},
		}));
		const results = await runJobs(jobs, 4, true);
		expect(peak).toBe(4);
		expect(results.map((result) => (result?.ok ? result.value : undefined))).toEqual(jobs.map((_, index) => index * 10));
	});

	it('runs jobs of one lane one at a time, in input order, while other lanes proceed', async () => {
		const log: string[] = [];
		const active = new Set<string>();
		const lanes = ['a', 'b', 'a', 'a', 'c', 'b', 'a'];
		const jobs: Job<void>[] = lanes.map((lane, index) => ({
			customer: lane,
			run: async () => {
				expect(active.has(lane)).toBe(false);
				active.add(lane);
				log.push(`${lane}${index}`);
				await tick(3);
				active.delete(lane);
			},
		}));
		await runJobs(jobs, 8, true);
		expect(log.filter((entry) => entry.startsWith('a'))).toEqual(['a0', 'a2', 'a3', 'a6']);
		expect(log.filter((entry) => entry.startsWith('b'))).toEqual(['b1', 'b5']);
	});

	it('starts nothing new after a failure when asked to stop, and reports the failure', async () => {
		const started: number[] = [];
		const jobs: Job<number>[] = Array.from({ length: 10 }, (_, index) => ({
			run: async () => {
				started.push(index);
				await tick(2);
				if (index === 1) throw new Error('boom');
				return index;
			},
		}));
		const results = await runJobs(jobs, 2, true);
		expect(results[1]).toEqual({ ok: false, error: new Error('boom') });
		expect(started.length).toBeLessThan(10);
		expect(results.slice(started.length).every((result) => result === undefined)).toBe(true);
	});

	it('skips items without a job (refused by validation) and keeps going after failures when continuing', async () => {
		const jobs: Array<Job<number> | undefined> = [
			{ run: async () => 1 },
			undefined,
			{
				run: async () => {
					throw new Error('no');
				},
			},
			{ run: async () => 4 },
		];
		const results = await runJobs(jobs, 2, false);
		expect(results[0]).toEqual({ ok: true, value: 1 });
		expect(results[1]).toBeUndefined();
		expect(results[2]?.ok).toBe(false);
		expect(results[3]).toEqual({ ok: true, value: 4 });
	});

	it("a customer's job is urgent while more of the customer's jobs wait behind it", async () => {
		const urgent: boolean[] = [];
		const job = (customer: string): Job<void> => ({ customer, run: async (turn) => void urgent.push(turn.urgent) });
		await runJobs([job('acct\u0000cus_a'), job('acct\u0000cus_a'), job('acct\u0000cus_b')], 1, true);
		expect(urgent).toEqual([true, false, false]);
	});
});

describe('customer locks', () => {
	it('let writes through one at a time, in the order they asked, and forget a customer when free', async () => {
		const locks = new KeyedLocks();
		const order: string[] = [];
		let inside = 0;
		const write = async (name: string) =>
			await locks.run('acct/cus_1', async () => {
				inside += 1;
				expect(inside).toBe(1);
				await new Promise((resolve) => setTimeout(resolve, 5));
				order.push(name);
				inside -= 1;
			});
		await Promise.all(['a', 'b', 'c', 'd'].map(write));
		expect(order).toEqual(['a', 'b', 'c', 'd']);
		expect(locks.size).toBe(0);
	});

	it('are released when the write fails', async () => {
		const locks = new KeyedLocks();
		await expect(locks.run('acct/cus_1', async () => await Promise.reject(new Error('500')))).rejects.toThrow('500');
		await expect(locks.run('acct/cus_1', async () => await Promise.resolve('next'))).resolves.toBe('next');
		expect(locks.size).toBe(0);
	});
});
