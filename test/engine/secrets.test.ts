/** The secret key never shows up in any output, error or log line: on success, on Stripe errors, on network failures. */
import { capturedLogs } from '.';
import { createFromItem, runStripe, useSandbox } from './support';

const sandbox = useSandbox();

function expectNoSecret(value: unknown, secret: string) {
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	// The distinctive tail of the key, so that a masked "sk_test_****" form does not count as a leak.
	expect(text).not.toContain(secret.slice(8));
}

describe('the secret key stays secret', () => {
	it.each([
		['a successful credit', {}, {}],
		["a Stripe error (unknown customer)", { customer: 'cus_DoesNotExist01' }, {}],
		['a Stripe error with On Error continue', { customer: 'cus_DoesNotExist01' }, { onError: 'continueRegularOutput' as const }],
		['a bad input error', { amount: '12.50' }, {}],
		['a server error that exhausts retries', { fault: true }, { onError: 'continueErrorOutput' as const }],
	])('%s', async (_name, overrides: Record<string, unknown>, settings) => {
		const customer = sandbox().createCustomer({});
		if (overrides.fault) sandbox().setFaults({ serverErrorRate: 1 });
		const logsBefore = capturedLogs().length;
		const result = await runStripe(
			sandbox(),
			[{ customer: overrides.customer ?? customer.id, amount: overrides.amount ?? -100, currency: 'usd' }],
			createFromItem({ options: { maxRetries: 1 } }),
			settings,
		);
		expectNoSecret(result.run, sandbox().secretKey);
		expectNoSecret(result.error ? { message: result.error.message, description: result.error.description, stack: result.error.stack } : {}, sandbox().secretKey);
		expectNoSecret(capturedLogs().slice(logsBefore), sandbox().secretKey);
		expectNoSecret(sandbox().requests, sandbox().secretKey);
	});

	it('when Stripe cannot be reached at all (connection refused), after retries', async () => {
		const result = await runStripe(
			sandbox(),
			[{ customer: 'cus_Unreachable001', amount: -100, currency: 'usd' }],
			createFromItem({ options: { maxRetries: 1 } }),
			{},
			{ credentials: { baseUrl: 'http://127.0.0.1:9' } },
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/Could not reach Stripe \(ECONNREFUSED\)/);
		expectNoSecret(result.run, sandbox().secretKey);
		expectNoSecret({ stack: result.error?.stack, description: result.error?.description }, sandbox().secretKey);
		expectNoSecret(capturedLogs(), sandbox().secretKey);
	});

	it('when the reply times out', async () => {
		const customer = sandbox().createCustomer({});
		sandbox().setFaults({ latencyMs: 1500 });
		const result = await runStripe(
			sandbox(),
			[{ customer: customer.id, amount: -100, currency: 'usd' }],
			createFromItem({ options: { maxRetries: 0, timeout: 1000 } }),
			{ onError: 'continueRegularOutput' },
		);
		expect(String(result.output('Stripe')[0].json.error)).toMatch(/Could not reach Stripe \(timed out\)/);
		expectNoSecret(result.run, sandbox().secretKey);
		expectNoSecret(capturedLogs(), sandbox().secretKey);
	});
});
