import { updateDisplayOptions, type IDataObject, type INodeProperties } from 'n8n-workflow';

import { allPages } from '../../transport';
import { expandList, invoiceId, positiveInteger, unixSeconds } from '../../validation';
import { customerLocator, readCustomer } from '../customerLocator';
import { metadataField, readMetadata, returnAllAndLimit } from '../fields';
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
			{
				...metadataField,
				description:
					'Only transactions whose metadata holds each of these keys with exactly this value (an empty value: the key is not set), e.g. the batch a bulk run wrote. Stripe has no such filter: the node reads the list page by page and keeps the matches, so narrow it with Created After when the customer has many transactions.',
			},
		],
	},
	optionsCollection(['expand', 'ifSeveralMatch', 'stripeAccount', 'apiVersion', 'maxRetries', 'timeout', 'concurrency', 'maxRequestsPerSecond', 'endpointRequestsPerSecond']),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['customerBalanceTransaction'], operation: ['getAll'] } },
	properties,
);

/** Each pair held exactly; an empty value asks for the key to be unset (Stripe's `metadata` is null when none was sent). */
function hasMetadata(transaction: IDataObject, wanted: Record<string, string>): boolean {
	const held = (transaction.metadata ?? {}) as Record<string, unknown>;
	return Object.entries(wanted).every(([key, value]) => (Object.prototype.hasOwnProperty.call(held, key) ? held[key] : '') === value);
}

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
		const metadata = readMetadata(filters);

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
					metadata && ((transaction) => hasMetadata(transaction, metadata)),
				)
			).map(withTransactionAsWritten),
		};
	},
};
