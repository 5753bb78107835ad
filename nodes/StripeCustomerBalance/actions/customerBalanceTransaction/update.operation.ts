import { updateDisplayOptions, type IDataObject, type INodeProperties } from 'n8n-workflow';

import { transactionDescription, expandList, transactionId } from '../../validation';
import { customerLocator, readCustomer } from '../customerLocator';
import { descriptionField, metadataField, readMetadata } from '../fields';
import { optionsCollection, readCallOptions, readOptions } from '../options';
import { checkOnlyOption } from '../checkOnly';
import type { Operation } from '../types';
import { withTransactionAsWritten } from '../../asWritten';
import { transactionIdField } from './get.operation';

const properties: INodeProperties[] = [
	customerLocator,
	transactionIdField,
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'Stripe lets you change only the description and metadata of a balance transaction, never its amount',
		options: [
			{ ...descriptionField, description: `${descriptionField.description}. An empty value clears it.` },
			metadataField,
		],
	},
	optionsCollection(['expand', 'ifSeveralMatch', 'idempotencyKey', 'stripeAccount', 'apiVersion', 'maxRetries', 'timeout', 'concurrency', 'maxRequestsPerSecond', 'endpointRequestsPerSecond'], [checkOnlyOption]),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['customerBalanceTransaction'], operation: ['update'] } },
	properties,
);

export const update: Operation = {
	description,
	prepare(parameters, itemIndex) {
		const customer = readCustomer(parameters, itemIndex);
		const transaction = transactionId(parameters.get('transactionId', itemIndex));
		const fields = parameters.get('updateFields', itemIndex, {}) as IDataObject;
		const options = readOptions(parameters, itemIndex);
		const expand = expandList('Expand', options.expand);
		const params = {
			description: fields.description === undefined ? undefined : transactionDescription('Description', fields.description),
			expand: expand.length ? expand : undefined,
			metadata: readMetadata(fields),
		};
		const callOptions = readCallOptions(options);
		return {
			customer: { ref: customer, options: callOptions, writes: true },
			run: async (client, { customerId, urgent }) => [
				withTransactionAsWritten(await client.send({
					urgent,
					method: 'POST',
					path: `/v1/customers/${customerId}/balance_transactions/${transaction}`,
					params,
					itemIndex,
					options: callOptions,
				})),
			],
		};
	},
};
