import { updateDisplayOptions, type INodeProperties } from 'n8n-workflow';

import { customerLocator, optionsCollection, readCallOptions, readCustomer, readOptions } from '../common';
import type { Operation } from '../types';

const properties: INodeProperties[] = [
	customerLocator,
	optionsCollection(['stripeAccount', 'apiVersion', 'maxRetries', 'timeout', 'concurrency', 'maxRequestsPerSecond']),
];

export const description = updateDisplayOptions({ show: { resource: ['customer'], operation: ['getBalance'] } }, properties);

export const getBalance: Operation = {
	description,
	prepare(parameters, itemIndex) {
		const customer = readCustomer(parameters, itemIndex);
		const callOptions = readCallOptions(readOptions(parameters, itemIndex));
		return {
			run: async (client) => {
				const found = await client.send({
					method: 'GET',
					path: `/v1/customers/${customer}`,
					// Stripe includes the per-currency credit balances only when asked.
					params: { expand: ['invoice_credit_balance'] },
					itemIndex,
					options: callOptions,
				});
				return [
					{
						customer: found.id,
						email: found.email ?? null,
						name: found.name ?? null,
						balance: found.balance ?? 0,
						currency: found.currency ?? null,
						invoice_credit_balance: found.invoice_credit_balance ?? {},
						livemode: found.livemode,
					},
				];
			},
		};
	},
};
