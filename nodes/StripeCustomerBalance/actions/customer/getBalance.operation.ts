import { NodeOperationError, updateDisplayOptions, type INodeProperties } from 'n8n-workflow';

import { customerLocator, readCustomer } from '../customerLocator';
import { optionsCollection, readCallOptions, readOptions } from '../options';
import type { Operation } from '../types';
import { customerSummary } from './customerSummary';

const properties: INodeProperties[] = [
	customerLocator,
	optionsCollection(['ifSeveralMatch', 'stripeAccount', 'apiVersion', 'maxRetries', 'timeout', 'concurrency', 'maxRequestsPerSecond', 'endpointRequestsPerSecond']),
];

export const description = updateDisplayOptions({ show: { resource: ['customer'], operation: ['getBalance'] } }, properties);

export const getBalance: Operation = {
	description,
	prepare(parameters, itemIndex) {
		const customer = readCustomer(parameters, itemIndex);
		const callOptions = readCallOptions(readOptions(parameters, itemIndex));
		return {
			customer: { ref: customer, options: callOptions, writes: false },
			run: async (client, { customerId }) => {
				const found = await client.send({
					method: 'GET',
					path: `/v1/customers/${customerId}`,
					// Stripe includes the per-currency credit balances only when asked.
					params: { expand: ['invoice_credit_balance'] },
					itemIndex,
					options: callOptions,
				});
				// Stripe answers a deleted customer with `{ id, object, deleted: true }`: no balance to report.
				if (found.deleted === true) {
					throw new NodeOperationError(client.node, `Stripe customer ${customerId} was deleted (Customer, item ${itemIndex})`, {
						itemIndex,
						description: 'A deleted customer has no balance. Check which customer this item should name.',
					});
				}
				return [customerSummary(found)];
			},
		};
	},
};
