import { updateDisplayOptions, type IDataObject, type INodeProperties } from 'n8n-workflow';

import { InvalidInput, LIMITS, boundedText, customerEmail, positiveInteger } from '../../validation';
import { returnAllAndLimit } from '../fields';
import { optionsCollection, readCallOptions, readOptions } from '../options';
import type { Operation } from '../types';
import { customerSummary } from './customerSummary';

const properties: INodeProperties[] = [
	{
		displayName: 'Find By',
		name: 'findBy',
		type: 'options',
		default: 'email',
		description: 'Whether to look customers up by their email or by a Stripe Search query',
		options: [
			{ name: 'Email', value: 'email', description: 'Customers with this email, in any letter case' },
			{ name: 'Search Query', value: 'query', description: 'A Stripe Search query, e.g. on a CRM ID kept in metadata' },
		],
	},
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'jane@acme.com',
		displayOptions: { show: { findBy: ['email'] } },
		description: 'The email to look for, e.g. from a CRM record. Letter case is ignored; deleted customers are not found.',
	},
	{
		displayName: 'Search Query',
		name: 'query',
		type: 'string',
		default: '',
		required: true,
		placeholder: "metadata['crm_id']:'0012345'",
		displayOptions: { show: { findBy: ['query'] } },
		description:
			"A query in Stripe's search language, e.g. metadata['crm_id']:'0012345' or email~'acme.com' AND name:'Jane'. Stripe's search may miss customers created in the last minute.",
	},
	...returnAllAndLimit,
	optionsCollection(['stripeAccount', 'apiVersion', 'maxRetries', 'timeout', 'concurrency', 'maxRequestsPerSecond', 'endpointRequestsPerSecond']),
];

export const description = updateDisplayOptions({ show: { resource: ['customer'], operation: ['find'] } }, properties);

function searchQuery(value: unknown): string {
	const query = typeof value === 'string' ? boundedText('Search Query', value, LIMITS.searchQueryLength).trim() : '';
	if (query === '') throw new InvalidInput('Search Query', 'is empty', "It looks like metadata['crm_id']:'0012345'.");
	return query;
}

/** Every customer that matches, each with its balance; none is no item (Always Output Data covers "create if missing"). */
export const find: Operation = {
	description,
	prepare(parameters, itemIndex) {
		const findBy = parameters.get('findBy', itemIndex, 'email');
		const email = findBy === 'email' ? customerEmail('Email', parameters.get('email', itemIndex)) : undefined;
		const query = findBy === 'email' ? undefined : searchQuery(parameters.get('query', itemIndex));
		const returnAll = parameters.get('returnAll', itemIndex, false) as boolean;
		const limit = returnAll ? Infinity : positiveInteger('Limit', parameters.get('limit', itemIndex, 50), 1, 1_000_000);
		const callOptions = readCallOptions(readOptions(parameters, itemIndex));
		const expand = ['invoice_credit_balance'];
		return {
			run: async (_client, { lookup }) => {
				const found: IDataObject[] =
					email !== undefined
						? (await lookup.customersWithEmail(email, callOptions, itemIndex, expand)).slice(0, limit)
						: await lookup.search(query as string, callOptions, itemIndex, limit, expand.map((field) => `data.${field}`));
				return found.map((customer) => ({ ...customerSummary(customer), created: customer.created ?? null, metadata: customer.metadata ?? {} }));
			},
		};
	},
};
