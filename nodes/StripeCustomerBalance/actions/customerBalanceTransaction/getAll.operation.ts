import { updateDisplayOptions, type IDataObject, type INodeProperties } from 'n8n-workflow';

import { allPages } from '../../transport';
import { expandList, invoiceId, positiveInteger, unixSeconds } from '../../validation';
import { customerLocator, readCustomer } from '../customerLocator';
import { returnAllAndLimit } from '../fields';
import { optionsCollection, readCallOptions, readOptions } from '../options';
import type { Operation } from '../types';
import { withTransactionAsWritten } from '../../asWritten';

const properties: INodeProperties[] = [
	customerLocator,
	...returnAllAndLimit,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Created After',
				name: 'createdAfter',
				type: 'dateTime',
				default: '',
				description: 'Only transactions created at or after this moment, e.g. 2026-11-01T00:00:00Z',
			},
			{
				displayName: 'Created Before',
				name: 'createdBefore',
				type: 'dateTime',
				default: '',
				description: 'Only transactions created before this moment, e.g. 2026-12-01T00:00:00Z',
			},
			{
				displayName: 'Invoice ID',
				name: 'invoice',
				type: 'string',
				default: '',
				placeholder: 'in_1MtHbELkdIwHu7ixl4OzzPMv',
				description: 'Only transactions related to this invoice',
			},
		],
	},
	optionsCollection(['expand', 'ifSeveralMatch', 'stripeAccount', 'apiVersion', 'maxRetries', 'timeout', 'concurrency', 'maxRequestsPerSecond', 'endpointRequestsPerSecond']),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['customerBalanceTransaction'], operation: ['getAll'] } },
	properties,
);

export const getAll: Operation = {
	description,
	prepare(parameters, itemIndex) {
		const customer = readCustomer(parameters, itemIndex);
		const returnAll = parameters.get('returnAll', itemIndex, false) as boolean;
		const limit = returnAll ? Infinity : positiveInteger('Limit', parameters.get('limit', itemIndex, 50), 1, 1_000_000);
		const filters = parameters.get('filters', itemIndex, {}) as IDataObject;
		const created: IDataObject = {};
		if (filters.createdAfter) created.gte = unixSeconds('Created After', filters.createdAfter);
		if (filters.createdBefore) created.lt = unixSeconds('Created Before', filters.createdBefore);
		const options = readOptions(parameters, itemIndex);
		const expand = expandList('Expand', options.expand).map((field) => `data.${field}`);
		const callOptions = readCallOptions(options);
		const invoice = filters.invoice ? invoiceId(filters.invoice) : undefined;

		return {
			customer: { ref: customer, options: callOptions, writes: false },
			run: async (client, { customerId }) =>
				(
					await allPages(
					client,
					{
						method: 'GET',
						path: `/v1/customers/${customerId}/balance_transactions`,
						params: {
							limit: 100,
							created: Object.keys(created).length ? (created as Record<string, number>) : undefined,
							invoice,
							expand: expand.length ? expand : undefined,
						},
						itemIndex,
						options: callOptions,
					},
					limit,
				)
				).map(withTransactionAsWritten),
		};
	},
};
