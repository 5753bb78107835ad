/**
 * An execution that ended leaves nothing behind in its process: no request of its own goes out afterwards, and the
 * account's pacer goes back to the limits of the executions still running. Run in n8n's engine against the sandbox.
 */
import * as path from 'node:path';

import { PACKAGE_ROOT } from './index';
import { runStripe, until, useSandbox } from './support';

const sandbox = useSandbox();

/** The process-wide pacers, as the engine loaded them from the built package. */
function accountPacers(): {
	pacers: { pacer(account: string, defaults: { global: number; endpoint: number }): { rateAt(now: number): number } };
	platformAccountId(secretKey: string, baseUrl: string): string;
} {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const module = require(path.join(PACKAGE_ROOT, 'dist/nodes/StripeCustomerBalance/transport/accountPacers')) as {
		processPacers: ReturnType<typeof accountPacers>['pacers'];
		platformAccountId: ReturnType<typeof accountPacers>['platformAccountId'];
	};
	return { pacers: module.processPacers, platformAccountId: module.platformAccountId };
}

describe('after an execution ends', () => {
	it('an email lookup still running when the node failed sends nothing more, and the pacer drops the ceiling the execution set', async () => {
		// The first slice of items (5) asks for its email's lookup, which waits at the sandbox's door while item 5's bad
		// amount, in the next slice, stops the run (On Error: stop).
		sandbox().holdRequests();
		const result = await runStripe(
			sandbox(),
			[...Array.from({ length: 5 }, () => ({ email: 'nobody@acme.com', amount: -1 })), { email: 'nobody@acme.com', amount: 'twelve' }],
			{
				resource: 'customerBalanceTransaction',
				operation: 'create',
				customer: { __rl: true, mode: 'email', value: '={{ $json.email }}' },
				amount: '={{ $json.amount }}',
				currency: 'eur',
				options: { maxRequestsPerSecond: 3 },
			},
		);
		expect(result.error?.message).toMatch(/^Invalid Amount in item 5/);
		await until(() => sandbox().waitingRequests === 1);
		const [search] = sandbox().requests;
		expect(search.path).toBe('/v1/customers/search');

		// Search finds nobody: a lookup that went on would now ask the exact list filter.
		sandbox().releaseRequests();
		await until(() => search.repliedAt !== undefined);
		await new Promise((resolve) => setTimeout(resolve, 300));

		expect(sandbox().requests.map((request) => request.path)).toEqual(['/v1/customers/search']);
		const { pacers, platformAccountId } = accountPacers();
		const pacer = pacers.pacer(platformAccountId(sandbox().secretKey, sandbox().url), { global: 25, endpoint: 25 });
		// The test key's own limit, not the 3/s the ended execution asked for.
		expect(pacer.rateAt(Date.now())).toBe(25);
	});
});
