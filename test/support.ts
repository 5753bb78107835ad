/** Shared set-up for the in-engine tests: a sandbox per test file and short ways to run the Stripe node on items. */
import { itemsThenStripe, runWorkflow, type RunResult, type TestNode } from './engine';
import { startSandbox, type Sandbox } from './sandbox';
import { RemoteSandbox } from './sandbox/remote';

export { busiestSecond } from './sandbox/arrivals';

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
	options: { executionId?: string | null; credentials?: Record<string, string> } = {},
): Promise<RunResult> {
	return await runWorkflow({
		nodes: itemsThenStripe(items, parameters, settings),
		credentials: credentialsFor(sandbox, options.credentials),
		executionId: options.executionId,
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
