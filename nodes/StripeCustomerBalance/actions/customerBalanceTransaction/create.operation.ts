import { updateDisplayOptions, type IDataObject, type INodeProperties } from 'n8n-workflow';

import { amountToSend, type AmountFormat, type Direction } from '../../amounts';
import { currencyCode, description as checkDescription, expandList } from '../../validation';
import {
	customerLocator,
	descriptionField,
	expandField,
	metadataField,
	optionsCollection,
	readCallOptions,
	readCustomer,
	readMetadata,
	readOptions,
} from '../common';
import type { Operation } from '../types';

const properties: INodeProperties[] = [
	customerLocator,
	{
		displayName: 'Amount',
		name: 'amount',
		type: 'number',
		default: 0,
		required: true,
		description:
			'Integer in the currency\'s smallest unit (cents): negative credits the customer (lowers what they owe), positive debits them (added to their next invoice). E.g. -1000 with EUR is a 10 EUR credit. Numeric text such as "1250" from an expression is accepted. See Options > Amount Format and Direction to enter 12.50 or a positive credit.',
	},
	{
		displayName: 'Currency',
		name: 'currency',
		type: 'string',
		default: 'usd',
		required: true,
		placeholder: 'eur',
		description: 'Three-letter ISO currency code, e.g. eur or USD (sent in lower case). It selects which of the customer\'s credit balances changes.',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [descriptionField, expandField, metadataField],
	},
	optionsCollection(['amountFormat', 'direction', 'ifSeveralMatch', 'idempotencyKey', 'stripeAccount', 'apiVersion', 'maxRetries', 'timeout', 'concurrency', 'maxRequestsPerSecond']),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['customerBalanceTransaction'], operation: ['create'] } },
	properties,
);

export const create: Operation = {
	description,
	prepare(parameters, itemIndex) {
		const customer = readCustomer(parameters, itemIndex);
		const options = readOptions(parameters, itemIndex);
		const currency = currencyCode('Currency', parameters.get('currency', itemIndex));
		const amount = amountToSend(
			'Amount',
			parameters.get('amount', itemIndex),
			currency,
			(options.amountFormat as AmountFormat) ?? 'smallestUnit',
			(options.direction as Direction) ?? 'signed',
		);
		const fields = parameters.get('additionalFields', itemIndex, {}) as IDataObject;
		const expand = expandList('Expand', fields.expand);
		const params = {
			amount,
			currency,
			description: fields.description ? checkDescription('Description', fields.description) : undefined,
			expand: expand.length ? expand : undefined,
			metadata: readMetadata(fields),
		};
		const callOptions = readCallOptions(options);
		return {
			customer: { ref: customer, options: callOptions, writes: true },
			run: async (client, { customerId, lane, urgent }) => [
				await client.send({
					customerLane: lane,
					urgent,
					method: 'POST',
					path: `/v1/customers/${customerId}/balance_transactions`,
					params,
					itemIndex,
					options: callOptions,
				}),
			],
		};
	},
};
