/**
 * As an AI Agent tool: n8n-core builds the tool from the node's `$fromAI()` placeholders, the agent's arguments fill the
 * fields, and the node runs with the same validation and safety as in a workflow.
 */
import { CREDENTIAL_TYPE, ITEMS_NODE_TYPE, NODE_TYPE, TEST_CREDENTIAL, loadedPackage, registerNodeType, runWorkflow } from '.';
import { TOOL_CALLER_NODE_TYPE, ToolCallerNode, asToolVariant } from './ai-tool';
import { bodyWithoutKey, credentialsFor, useSandbox } from './support';

const sandbox = useSandbox();
const TOOL_TYPE = `${NODE_TYPE}Tool`;

beforeAll(() => {
	const stripe = loadedPackage().loader.getNode('stripeCustomerBalance').type;
	registerNodeType(TOOL_TYPE, asToolVariant(stripe as never));
	registerNodeType(TOOL_CALLER_NODE_TYPE, new ToolCallerNode());
});

const toolParameters = {
	resource: 'customerBalanceTransaction',
	operation: 'create',
	customer: { __rl: true, mode: 'id', value: "={{ $fromAI('customer_id', 'The Stripe customer ID, starting with cus_', 'string') }}" },
	amount: "={{ $fromAI('amount', 'Amount in the smallest currency unit; negative credits the customer', 'number') }}",
	currency: "={{ $fromAI('currency', 'Three-letter ISO currency code', 'string') }}",
	additionalFields: { description: "={{ $fromAI('reason', 'Why the balance changes', 'string') }}" },
};

/** Version 2: the agent says credit or debit and gives the amount as written in the currency. */
const toolParametersV2 = {
	...toolParameters,
	direction: "={{ $fromAI('direction', 'credit (the customer gets money off) or debit (the customer owes more)', 'string') }}",
	amount: "={{ $fromAI('amount', 'Amount as written in the currency, e.g. 10 or 12.50; always positive', 'number') }}",
};

async function callTool(args: object, parameters: Record<string, unknown> = toolParameters, typeVersion = 1) {
	const result = await runWorkflow({
		nodes: [
			{ name: 'Items', type: ITEMS_NODE_TYPE, parameters: { items: '[{}]' } },
			{ name: 'Agent', type: TOOL_CALLER_NODE_TYPE, parameters: { toolArgs: JSON.stringify(args) } },
			{ name: 'Stripe', type: TOOL_TYPE, typeVersion, parameters, credentials: { [CREDENTIAL_TYPE]: { ...TEST_CREDENTIAL } } },
		],
		connections: {
			Items: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] },
			Stripe: { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] },
		},
		credentials: credentialsFor(sandbox()),
	});
	return result.output('Agent')[0].json as { tool: string; description: string; schema: Record<string, string>; response: unknown };
}

describe('Stripe Customer Balance as an AI Agent tool', () => {
	it('exposes the fields the agent fills, with their descriptions, and credits the customer when called', async () => {
		const customer = sandbox().createCustomer({ email: 'agent@example.com' });
		const call = await callTool({ customer_id: customer.id, amount: -1500, currency: 'EUR', reason: 'Apology for the outage' });

		expect(call.schema).toEqual({
			customer_id: 'The Stripe customer ID, starting with cus_',
			amount: 'Amount in the smallest currency unit; negative credits the customer',
			currency: 'Three-letter ISO currency code',
			reason: 'Why the balance changes',
		});
		expect(call.description).toMatch(/Stripe customer/i);
		expect(call.response).toEqual([expect.objectContaining({ amount: -1500, currency: 'eur', description: 'Apology for the outage', customer: customer.id })]);
		expect(sandbox().customer(customer.id)?.balance).toBe(-1500);
		expect(sandbox().requests.at(-1)?.idempotencyKey).toMatch(/^n8n-/);
	});

	it('"credit jane@acme.com 10 EUR": the agent names the customer by email, found in any letter case', async () => {
		const jane = sandbox().createCustomer({ email: 'jane@acme.com' });
		const byEmail = {
			...toolParameters,
			customer: { __rl: true, mode: 'email', value: "={{ $fromAI('customer_email', 'The customer\\'s email address, e.g. jane@acme.com', 'string') }}" },
		};
		const call = await callTool({ customer_email: 'Jane@Acme.com', amount: -1000, currency: 'EUR', reason: 'Goodwill' }, byEmail);

		expect(call.schema.customer_email).toMatch(/email address/);
		expect(call.response).toEqual([expect.objectContaining({ amount: -1000, currency: 'eur', customer: jane.id })]);
		expect(sandbox().customer(jane.id)?.balance).toBe(-1000);
	});

	it('a wrong value from the agent is refused with a message it can act on, and nothing is sent', async () => {
		const customer = sandbox().createCustomer({});
		const call = await callTool({ customer_id: customer.id, amount: 12.5, currency: 'EUR', reason: 'x' });
		expect(JSON.stringify(call.response)).toMatch(/Invalid Amount in item 0: 12\.5 is not a whole number of the currency's smallest unit/);
		expect(sandbox().requests).toHaveLength(0);
	});

	it('version 2: an agent told "credit jane 10 EUR" sends amount=-1000, and "debit her 5 USD" sends 500', async () => {
		const jane = sandbox().createCustomer({ email: 'jane@example.com', name: 'Jane' });
		const credit = await callTool({ customer_id: jane.id, direction: 'credit', amount: 10, currency: 'EUR', reason: 'Goodwill' }, toolParametersV2, 2);
		expect(credit.schema).toMatchObject({
			direction: 'credit (the customer gets money off) or debit (the customer owes more)',
			amount: 'Amount as written in the currency, e.g. 10 or 12.50; always positive',
		});
		expect(credit.response).toEqual([expect.objectContaining({ amount: -1000, direction: 'credit', currency: 'eur', customer: jane.id })]);
		expect(bodyWithoutKey(sandbox().requests.at(-1)!)).toBe('amount=-1000&currency=eur&description=Goodwill');

		sandbox().createCustomer({ id: 'cus_JaneUsd0000001' });
		await callTool({ customer_id: 'cus_JaneUsd0000001', direction: 'debit', amount: 5, currency: 'USD', reason: 'Late fee' }, toolParametersV2, 2);
		expect(bodyWithoutKey(sandbox().requests.at(-1)!)).toBe('amount=500&currency=usd&description=Late%20fee');
	});

	it('version 2: an agent that signs a credit itself is told why it was refused, and nothing is sent', async () => {
		const customer = sandbox().createCustomer({});
		const call = await callTool({ customer_id: customer.id, direction: 'credit', amount: -10, currency: 'EUR', reason: 'x' }, toolParametersV2, 2);
		expect(call.response).toEqual({
			toolError: expect.stringMatching(/^Invalid Amount in item 0: is negative \(-10\) while Direction is "Credit the Customer": enter the size of the credit[\s\S]*choose Direction: Signed Amount/),
		});
		expect(sandbox().requests).toHaveLength(0);
	});
});

describe('Check Only in an AI Agent tool', () => {
	it('a tool the builder set to Check Only lets the agent preview a credit: the request it would send, and nothing written', async () => {
		const jane = sandbox().createCustomer({ email: 'jane@example.com', name: 'Jane' });
		const preview = { ...toolParametersV2, options: { checkOnly: true } };
		const call = await callTool({ customer_id: jane.id, direction: 'credit', amount: 10, currency: 'EUR', reason: 'Goodwill' }, preview, 2);
		expect(call.schema).not.toHaveProperty('checkOnly');
		expect(call.response).toEqual([
			expect.objectContaining({
				checkOnly: true,
				method: 'POST',
				body: expect.stringMatching(/^amount=-1000&currency=eur&description=Goodwill&metadata\[n8n_idempotency_key\]=n8n-/),
				balanceNow: 0,
				balanceAfter: -1000,
				alreadyApplied: false,
			}),
		]);
		expect(sandbox().requests.filter((request) => request.method === 'POST')).toHaveLength(0);
		expect(sandbox().customer(jane.id)?.balance).toBe(0);
	});

	it('the agent cannot switch it: Check Only from $fromAI() is refused before anything is sent', async () => {
		const jane = sandbox().createCustomer({ email: 'jane@example.com' });
		const agentChooses = { ...toolParametersV2, options: { checkOnly: "={{ $fromAI('check_only', 'Whether to only check', 'boolean') }}" } };
		const call = await callTool({ customer_id: jane.id, direction: 'credit', amount: 10, currency: 'EUR', reason: 'x', check_only: false }, agentChooses, 2);
		expect(JSON.stringify(call.response)).toMatch(/Invalid Check Only \(Send Nothing\) in item 0: .* is neither on nor off/);
		expect(sandbox().requests).toHaveLength(0);
	});
});
