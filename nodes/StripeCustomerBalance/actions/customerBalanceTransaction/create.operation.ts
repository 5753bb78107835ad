import { updateDisplayOptions, type IDataObject, type INodeProperties } from 'n8n-workflow';

import { currencyCode, transactionDescription, expandList } from '../../validation';
import { customerLocator, readCustomer } from '../customerLocator';
import { descriptionField, expandField, metadataField, readMetadata } from '../fields';
import { optionsCollection, readCallOptions, readOptions } from '../options';
import { checkOnlyOption } from '../checkOnly';
import { appliedMark, checkRoomForKey, lookBackOption } from '../earlierWrites';
import type { Operation } from '../types';
import { FROM_VERSION_2, VERSION_1, amountFields, amountFormatAsWritten, directionField, readAmount, version1AmountFormat, version1Direction, withDirection } from './amountFields';

const SHARED_OPTIONS = ['ifSeveralMatch', 'idempotencyKey', 'stripeAccount', 'apiVersion', 'maxRetries', 'timeout', 'concurrency', 'maxRequestsPerSecond', 'endpointRequestsPerSecond'] as const;

// Stripe's own page on idempotent requests: this package has no public repository yet to link its docs (docs/RELEASING.md).
const IDEMPOTENCY_URL = 'https://docs.stripe.com/api/idempotent_requests';

const currencyField: INodeProperties = {
	displayName: 'Currency',
	name: 'currency',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'eur',
	description: 'Three-letter ISO currency code, e.g. eur or USD (sent in lower case). It selects which of the customer\'s credit balances changes.',
};

const properties: INodeProperties[] = [
	customerLocator,
	directionField,
	...amountFields,
	{ ...currencyField, default: 'usd', displayOptions: { show: VERSION_1 } },
	// Version 2 has no default currency: an amount is only meant in the currency the user names.
	{ ...currencyField, default: '', displayOptions: { show: FROM_VERSION_2 } },
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [descriptionField, expandField, metadataField],
	},
	{
		displayName: `From a webhook or CRM records? Set Options > Idempotency Key from the record's ID, so a record delivered twice moves money once. <a href="${IDEMPOTENCY_URL}" target="_blank">Idempotent requests</a>`,
		name: 'idempotencyNotice',
		type: 'notice',
		default: '',
	},
	{ ...optionsCollection([...SHARED_OPTIONS], [version1AmountFormat, version1Direction, checkOnlyOption, lookBackOption]), displayOptions: { show: VERSION_1 } },
	{ ...optionsCollection([...SHARED_OPTIONS], [amountFormatAsWritten, checkOnlyOption, lookBackOption]), displayOptions: { show: FROM_VERSION_2 } },
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
		const amount = readAmount(parameters, itemIndex, currency, options);
		const fields = parameters.get('additionalFields', itemIndex, {}) as IDataObject;
		const expand = expandList('Expand', fields.expand);
		const metadata = readMetadata(fields);
		checkRoomForKey(metadata);
		const params = {
			amount,
			currency,
			description: fields.description ? transactionDescription('Description', fields.description) : undefined,
			expand: expand.length ? expand : undefined,
			metadata,
		};
		const callOptions = readCallOptions(options);
		return {
			customer: { ref: customer, options: callOptions, writes: true },
			run: async (client, { customerId, urgent, earlierWrites }) => {
				const call = { urgent, method: 'POST' as const, path: `/v1/customers/${customerId}/balance_transactions`, params, itemIndex, options: callOptions };
				const outcome = await earlierWrites.writeOnce(client, call, client.account(callOptions.stripeAccount), customerId);
				const transaction = parameters.nodeVersion >= 2 ? withDirection(outcome.object) : outcome.object;
				return [{ ...transaction, ...appliedMark(outcome) }];
			},
		};
	},
};
