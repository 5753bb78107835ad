import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import type { CallOptions, StripeClient } from '../transport';
import { customerKey } from '../execution/customerOrder';

/**
 * What one execution reads about a customer, each read once per customer (per Connect account) per execution, through
 * the execution's StripeClient (paced, retried). Check Only's balance now and Create's currency check share the read.
 */
export class CustomerReads {
	private readonly customers = new Map<string, { itemIndex: number; read: Promise<IDataObject> }>();

	constructor(private readonly client: StripeClient) {}

	/** `GET /v1/customers/:id?expand[]=invoice_credit_balance`, once; a deleted customer fails the item. */
	async customer(id: string, options: CallOptions, itemIndex: number): Promise<IDataObject> {
		const key = customerKey(this.client.account(options.stripeAccount), id);
		let first = this.customers.get(key);
		if (!first) {
			first = { itemIndex, read: this.readCustomer(id, options, itemIndex) };
			// Awaited by each item that asks; a run that stops first must not leave it unhandled.
			first.read.catch(() => undefined);
			this.customers.set(key, first);
		}
		// When the read failed (e.g. no such customer), each item gets an error of its own, as each real write would.
		const customer =
			first.itemIndex === itemIndex ? await first.read : await first.read.catch(async () => await this.readCustomer(id, options, itemIndex));
		if (customer.deleted === true) {
			throw new NodeOperationError(this.client.node, `Stripe customer ${id} was deleted (Customer, item ${itemIndex})`, {
				itemIndex,
				description: 'Stripe refuses balance transactions for a deleted customer. Check which customer this item should name.',
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
