/** Shared set-up for the in-engine tests: a sandbox per test file and short ways to run the Stripe node on items. */
import { itemsThenStripe, runWorkflow, type RunResult, type TestNode } from '.';
import { startSandbox, type Sandbox } from '../sandbox';
import { RemoteSandbox } from '../sandbox/remote';

export { busiestSecond } from '../sandbox/arrivals';

export type { Sandbox };

export const byId = (value: string) => ({ __rl: true, mode: 'id', value });
export const byUrl = (value: string) => ({ __rl: true, mode: 'url', value });
export const fromList = (value: string) => ({ __rl: true, mode: 'list', value });

/** Create-operation parameters reading customer, amount and currency from the incoming item, as a CRM feed would. */
export function createFromItem(extra: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		resource: 'customerBalanceTransaction',
		operation: 'create',
		customer: byId('={{ $json.customer }}'),
		amount: '={{ $json.amount }}',
		currency: '={{ $json.currency }}',
		...extra,
	};
}

export function credentialsFor(sandbox: Pick<Sandbox, 'secretKey' | 'url'>, overrides: Record<string, string> = {}) {
	return { stripeCustomerBalanceApi: { secretKey: sandbox.secretKey, baseUrl: sandbox.url, ...overrides } };
}

export async function runStripe(
	sandbox: Pick<Sandbox, 'secretKey' | 'url'>,
	items: object[],
	parameters: Record<string, unknown>,
	settings: Partial<TestNode> = {},
	options: { executionId?: string | null; credentials?: Record<string, string>; retryOf?: RunResult } = {},
): Promise<RunResult> {
	return await runWorkflow({
		nodes: itemsThenStripe(items, parameters, settings),
		credentials: credentialsFor(sandbox, options.credentials),
		executionId: options.executionId,
		retryOf: options.retryOf,
	});
}

/** Starts one sandbox for the test file, resets it before each test. */
export function useSandbox(): () => Sandbox {
	let sandbox: Sandbox | undefined;
	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	beforeEach(() => sandbox?.reset());
	afterAll(async () => await sandbox?.close());
	return () => {
		if (!sandbox) throw new Error('sandbox not started');
		return sandbox;
	};
}

export const writesTo = (sandbox: Sandbox) => sandbox.requests.filter((request) => request.method === 'POST');

/**
 * A request's body without the write's own key, which Create records in metadata (`n8n_idempotency_key`) and which
 * differs per execution when derived: for comparing what two executions sent.
 */
export const bodyWithoutKey = (request: { rawBody?: string }) => (request.rawBody ?? '').replace(/&?metadata\[n8n_idempotency_key\]=[^&]*/, '');

/**
 * One sandbox in a process of its own for the test file, reset before each test: for tests of pacing, whose
 * arrival times must not be skewed by sharing an event loop with the node under test.
 */
export function useRemoteSandbox(): () => RemoteSandbox {
	let sandbox: RemoteSandbox | undefined;
	beforeAll(async () => {
		sandbox = await RemoteSandbox.start();
	});
	beforeEach(async () => await sandbox?.reset());
	afterAll(async () => await sandbox?.close());
	return () => {
		if (!sandbox) throw new Error('sandbox not started');
		return sandbox;
	};
}

/** True when every customer got exactly one transaction: nothing lost, nothing written twice. */
export function onePerCustomer(transactions: Array<{ customer: string }>, customers: string[]): boolean {
	const counts = new Map<string, number>();
	for (const transaction of transactions) counts.set(transaction.customer, (counts.get(transaction.customer) ?? 0) + 1);
	return counts.size === customers.length && customers.every((customer) => counts.get(customer) === 1);
}

/** True when each request arrived after the reply to the one before it: never two in flight at once. */
export function oneAtATime(requests: Array<{ at: number; repliedAt?: number }>): boolean {
	return requests.every((request, index) => index === 0 || (requests[index - 1].repliedAt ?? Infinity) <= request.at);
}

/** Polls until `condition` holds (every 20 ms, at most `timeoutMs`): waiting for a state, never for a time. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}
