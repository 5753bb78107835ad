/**
 * Executions of one process take turns at preparing their items (n8n resolving expressions: CPU work), so that the
 * requests of executions already sending keep their pace, and the first execution to arrive starts sending first.
 */
import { sleep } from 'n8n-workflow';

import { PreparationTurns } from '../../nodes/StripeCustomerBalance/execution/preparationTurns';

/** Stands for resolving an item's expressions: the CPU is busy for `ms`. */
function busy(ms: number): void {
	const until = Date.now() + ms;
	while (Date.now() < until) {
		// spin
	}
}

describe('PreparationTurns', () => {
	it('executions prepare one at a time, in the order they arrive', async () => {
		const turns = new PreparationTurns();
		const order: string[] = [];
		const prepare = (execution: string) => async () =>
			await turns.prepareAll(20, (item) => {
				busy(1);
				order.push(`${execution}${item}`);
			});
		await Promise.all([prepare('a')(), prepare('b')(), prepare('c')()]);

		const executions = order.map((entry) => entry[0]).join('');
		expect(executions).toBe('a'.repeat(20) + 'b'.repeat(20) + 'c'.repeat(20));
		expect(order.filter((entry) => entry.startsWith('b'))).toEqual(Array.from({ length: 20 }, (_, item) => `b${item}`));
	});

	it('the event loop turns between slices: timers of other work (pacer turns, replies) run meanwhile', async () => {
		const turns = new PreparationTurns();
		let ticks = 0;
		let preparing = true;
		const ticker = (async () => {
			while (preparing) {
				ticks += 1;
				await sleep(0);
			}
		})();
		await turns.prepareAll(100, () => busy(2));
		preparing = false;
		await ticker;
		// 200 ms of preparation in slices of 5 items (10 ms): the ticker ran between them
		expect(ticks).toBeGreaterThanOrEqual(10);
	});

	it('a long preparation lets the executions waiting behind it go first after a while', async () => {
		const turns = new PreparationTurns();
		const finished: string[] = [];
		const large = turns.prepareAll(400, () => busy(3)).then(() => finished.push('large'));
		await sleep(50);
		const small = turns.prepareAll(5, () => busy(1)).then(() => finished.push('small'));
		await Promise.all([large, small]);
		expect(finished).toEqual(['small', 'large']);
	});

	it("an item that throws ends the execution's turn: the next one prepares", async () => {
		const turns = new PreparationTurns();
		const failing = turns.prepareAll(10, (item) => {
			if (item === 3) throw new Error('Invalid Amount in item 3');
		});
		const next = turns.prepareAll(10, () => undefined);
		await expect(failing).rejects.toThrow('Invalid Amount in item 3');
		await expect(next).resolves.toBeUndefined();
		expect(turns.waiting).toBe(0);
	});
});
