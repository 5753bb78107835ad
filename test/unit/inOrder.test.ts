/** InOrder: prepared items reach the JobRunner in input order, each once its customer is known. */
import { InOrder } from '../../nodes/StripeCustomerBalance/execution/inOrder';

function deferred<T>() {
	let resolve!: (value: T) => void;
	let reject!: (error: unknown) => void;
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

describe('InOrder', () => {
	it('passes a ready value straight through when nothing waits ahead of it', () => {
		const delivered: number[] = [];
		const inOrder = new InOrder<string>((index) => delivered.push(index), () => undefined);
		inOrder.add(0, 'cus_a');
		expect(delivered).toEqual([0]);
	});

	it('holds later items, ready or not, behind a lookup still running, and delivers them in input order', async () => {
		const delivered: Array<[number, string]> = [];
		const failed: number[] = [];
		const inOrder = new InOrder<string>((index, value) => delivered.push([index, value]), (index) => failed.push(index));
		const slow = deferred<string>();
		const fast = deferred<string>();
		const unknown = deferred<string>();
		inOrder.add(0, 'cus_a');
		inOrder.add(1, slow.promise);
		inOrder.add(2, 'cus_a');
		inOrder.add(3, fast.promise);
		inOrder.add(4, unknown.promise);
		fast.resolve('cus_b');
		unknown.reject(new Error('No Stripe customer has the email x@y.z'));
		await new Promise((resolve) => setImmediate(resolve));
		expect(delivered).toEqual([[0, 'cus_a']]);
		slow.resolve('cus_a');
		await inOrder.drained();
		expect(delivered).toEqual([
			[0, 'cus_a'],
			[1, 'cus_a'],
			[2, 'cus_a'],
			[3, 'cus_b'],
		]);
		expect(failed).toEqual([4]);
	});
});
