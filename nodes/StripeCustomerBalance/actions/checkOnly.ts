import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import type { CallOptions, StripeCall, StripeClient } from '../transport';
import { InvalidInput } from '../validation';
import { customerKey } from '../execution/customerOrder';
import type { PreparedItem, StripeSender, Turn } from './types';

/**
 * Check Only: a run of Create or Update that sends no write. Each item is validated, its customer found and read, and
 * its write described (by the client's own request builder, so the description is what a real run sends) instead of
 * sent. One home for the concern; the router only hands writing items here when the option is on.
 */
export const checkOnlyOption: INodeProperties = {
	displayName: 'Check Only (Send Nothing)',
	name: 'checkOnly',
	type: 'boolean',
	default: false,
	// A property of the workflow, never of the data or of an AI agent's call: the canvas subtitle must be able to say so.
	noDataExpression: true,
	description:
		'Whether to only check the items and output, for each, the request a real run would send (method, path, body, Idempotency Key), its customer and, for Create, the balance now and after. Customers are looked up and read; nothing is written to Stripe. Turn it off to run for real.',
};

/**
 * Read once per execution, as saved in the workflow: a run is all check-only or all real. An expression (data, or an AI
 * agent's `$fromAI()`) is refused before anything is sent: whether a run writes is the workflow's choice alone.
 */
export function readCheckOnly(context: IExecuteFunctions): boolean {
	const options = context.getNode().parameters.options;
	const value = typeof options === 'object' && options !== null && !Array.isArray(options) ? (options as IDataObject).checkOnly : undefined;
	if (value === undefined || value === false) return false;
	if (value === true) return true;
	throw new InvalidInput(
		'Check Only (Send Nothing)',
		`${JSON.stringify(value)} is neither on nor off`,
		"It takes no expression: whether a run writes to Stripe is the workflow's choice, never the data's or an AI agent's. Turn it on or off in the node's Options.",
	);
}

/** The customer's balance in one currency, Stripe's sign (negative is credit), as a transaction in it would start from. */
function balanceIn(customer: IDataObject, currency: string): number {
	const credits = customer.invoice_credit_balance as Record<string, unknown> | undefined;
	// invoice_credit_balance has the opposite sign of balance: positive there is credit.
	if (credits && typeof credits[currency] === 'number') return 0 - credits[currency];
	if (customer.currency === null || customer.currency === undefined || customer.currency === currency) {
		return typeof customer.balance === 'number' ? customer.balance : 0;
	}
	return 0;
}

export class CheckOnlyRun {
	/** Each customer (of each account) is read once per execution, through the client: the account's pacer and retries. */
	private readonly customers = new Map<string, { itemIndex: number; read: Promise<IDataObject> }>();

	constructor(private readonly client: StripeClient) {}

	/** The item's check: its write described and not sent; for an Update, the transaction it would change read. */
	async check(item: PreparedItem, turn: Turn): Promise<IDataObject[]> {
		const writes: StripeCall[] = [];
		const client = this.client;
		const capture = (call: StripeCall): IDataObject => {
			writes.push(call);
			return {};
		};
		const sender: StripeSender = {
			node: client.node,
			runAttemptedBefore: client.runAttemptedBefore,
			account: (stripeAccount) => client.account(stripeAccount),
			idempotencyKeyOf: (call) => client.idempotencyKeyOf(call),
			send: async (call) => (call.method === 'GET' ? await client.send(call) : capture(call)),
			write: async (call) => ({ object: capture(call), replayed: false }),
		};
		const returned = await item.run(sender, turn);
		// A write found already applied (its key on one of the customer's transactions) would not be sent: the item shows
		// that transaction, marked alreadyApplied, as a real run outputs it.
		if (writes.length === 0) return returned.map((json) => ({ checkOnly: true, ...json }));
		const outputs: IDataObject[] = [];
		for (const call of writes) outputs.push({ ...(await this.describe(call, turn.customerId)), ...(call.params?.amount !== undefined ? { alreadyApplied: false } : {}) });
		return outputs;
	}

	/**
	 * Fills in each Create's balance after it: the balance now plus this item's amount and those of the items before it
	 * for the same customer, account and currency, in input order (the order a real run writes them). Failed items move
	 * nothing, as in a real run.
	 */
	addBalancesAfter(outputs: Array<IDataObject[] | undefined>): void {
		const running = new Map<string, number>();
		for (const json of outputs.flat()) {
			if (!json || typeof json.amount !== 'number' || typeof json.balanceNow !== 'number') continue;
			const key = JSON.stringify([json.stripeAccount ?? '', (json.customer as IDataObject).id, json.currency]);
			const after = (running.get(key) ?? json.balanceNow) + json.amount;
			running.set(key, after);
			json.balanceAfter = after;
		}
	}

	private async describe(call: StripeCall, customerId: string): Promise<IDataObject> {
		const request = this.client.describe(call);
		const customer = await this.customer(customerId, call.options, call.itemIndex);
		const params = call.params ?? {};
		const isCreate = params.amount !== undefined;
		// An Update of a transaction that does not exist fails here as the real write would (Stripe's 404).
		if (!isCreate) await this.client.send({ method: 'GET', path: call.path, itemIndex: call.itemIndex, options: call.options });
		const currency = String(params.currency);
		return {
			checkOnly: true,
			method: call.method,
			path: call.path,
			body: request.body as string,
			idempotencyKey: request.headers['Idempotency-Key'],
			...(call.options.stripeAccount ? { stripeAccount: call.options.stripeAccount } : {}),
			customer: { id: customer.id, email: customer.email ?? null, name: customer.name ?? null },
			...(isCreate ? { amount: params.amount, currency, balanceNow: balanceIn(customer, currency) } : {}),
		};
	}

	private async customer(id: string, options: CallOptions, itemIndex: number): Promise<IDataObject> {
		const key = customerKey(this.client.account(options.stripeAccount), id);
		let first = this.customers.get(key);
		if (!first) {
			first = { itemIndex, read: this.readCustomer(id, options, itemIndex) };
			this.customers.set(key, first);
		}
		// When the read failed (e.g. no such customer), each item gets an error of its own, as each real write would.
		const customer =
			first.itemIndex === itemIndex ? await first.read : await first.read.catch(async () => await this.readCustomer(id, options, itemIndex));
		if (customer.deleted === true) {
			throw new NodeOperationError(this.client.node, `Stripe customer ${id} was deleted (Customer, item ${itemIndex})`, {
				itemIndex,
				description: 'A real run would fail for this item too: Stripe refuses balance transactions for a deleted customer.',
			});
		}
		return customer;
	}

	private async readCustomer(id: string, options: CallOptions, itemIndex: number): Promise<IDataObject> {
		return await this.client.send({
			method: 'GET',
			path: `/v1/customers/${id}`,
			// The per-currency balances come only when asked.
			params: { expand: ['invoice_credit_balance'] },
			itemIndex,
			options,
		});
	}
}
