import { updateDisplayOptions, type INodeProperties } from 'n8n-workflow';

import { expandList, transactionId } from '../../validation';
import { customerLocator, readCustomer } from '../customerLocator';
import { optionsCollection, readCallOptions, readOptions } from '../options';
import type { Operation } from '../types';
import { withTransactionAsWritten } from '../../asWritten';

export const transactionIdField: INodeProperties = {
	displayName: 'Transaction ID',
	name: 'transactionId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'cbtxn_1MrL3sLkdIwHu7ix0yRpTNXk',
	description: 'ID of the customer balance transaction (starts with cbtxn_)',
};

const properties: INodeProperties[] = [
	customerLocator,
	transactionIdField,
	optionsCollection(['expand', 'ifSeveralMatch', 'stripeAccount', 'apiVersion', 'maxRetries', 'timeout', 'concurrency', 'maxRequestsPerSecond', 'endpointRequestsPerSecond']),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['customerBalanceTransaction'], operation: ['get'] } },
	properties,
);

export const get: Operation = {
	description,
	prepare(parameters, itemIndex) {
		const customer = readCustomer(parameters, itemIndex);
		const transaction = transactionId(parameters.get('transactionId', itemIndex));
		const options = readOptions(parameters, itemIndex);
		const expand = expandList('Expand', options.expand);
		const callOptions = readCallOptions(options);
		return {
			customer: { ref: customer, options: callOptions, writes: false },
			run: async (client, { customerId }) => [
				withTransactionAsWritten(await client.send({
					method: 'GET',
					path: `/v1/customers/${customerId}/balance_transactions/${transaction}`,
					params: { expand: expand.length ? expand : undefined },
					itemIndex,
					options: callOptions,
				})),
			],
		};
	},
};
