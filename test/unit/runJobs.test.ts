/** The per-item scheduler: bounded concurrency, one lane per customer in input order, stop after a failure. */
import { runJobs, type Job } from '../../nodes/StripeCustomerBalance/execution/runJobs';

const tick = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

describe('runJobs', () => {
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
			lane,
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
});
