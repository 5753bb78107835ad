import { updateDisplayOptions, type INodeProperties } from 'n8n-workflow';

import { InvalidInput, TEXT_BOUNDS, boundedText, transactionId } from '../../validation';
import { checkOnlyOption } from '../checkOnly';
import { checkAmount, maxAmountOption, maxTotalOption } from '../guardrails';
import { customerLocator, readCustomer } from '../customerLocator';
import { optionsCollection, readCallOptions, readOptions } from '../options';
import type { Operation } from '../types';
import { FROM_VERSION_2 } from './amountFields';
import { transactionIdField } from './get.operation';
import { Reversal } from './reversal';

const properties: INodeProperties[] = [
	customerLocator,
	{
		...transactionIdField,
		description:
			'ID of the transaction to undo (starts with cbtxn_): a credit or debit written through the API or the Dashboard, e.g. by Create. The opposite amount is written once, in the same currency.',
	},
	{
		displayName: 'Amount to Reverse',
		name: 'amountToReverse',
		type: 'string',
		default: '',
		placeholder: 'all that is left',
		description:
			"Leave empty to reverse all of the transaction that is not reversed yet. Otherwise a part, as written in the transaction's currency (2.50 EUR is 2.50), at most what is left to reverse.",
	},
	optionsCollection(
		['ifSeveralMatch', 'stripeAccount', 'apiVersion', 'maxRetries', 'timeout', 'concurrency', 'maxRequestsPerSecond', 'endpointRequestsPerSecond'],
		[checkOnlyOption, maxAmountOption, maxTotalOption],
	),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['customerBalanceTransaction'], operation: ['reverse'], ...FROM_VERSION_2 } },
	properties,
);

/** A part to reverse: a positive number as written (its decimals are checked against the currency when it is known). */
function readPart(value: unknown): unknown {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
	const written = typeof value === 'number' ? String(value) : typeof value === 'string' ? boundedText('Amount to Reverse', value, TEXT_BOUNDS.amount).trim() : '';
	if (!/^\d*\.?\d+$|^\d+\.$/.test(written) || Number(written) <= 0) {
		throw new InvalidInput('Amount to Reverse', `${JSON.stringify(value)} is not a positive amount`, 'Write it like 2.50, in the transaction\'s currency, or leave it empty to reverse all that is left.');
	}
	return written;
}

export const reverse: Operation = {
	description,
	prepare(parameters, itemIndex) {
		const customer = readCustomer(parameters, itemIndex);
		const transaction = transactionId(parameters.get('transactionId', itemIndex));
		const amount = readPart(parameters.get('amountToReverse', itemIndex, ''));
		const callOptions = readCallOptions(readOptions(parameters, itemIndex));
		return {
			customer: { ref: customer, options: callOptions, writes: true },
			run: async (client, { customerId, urgent, checkOnly }) =>
				await new Reversal(client, {
					customerId,
					transactionId: transaction,
					amount,
					itemIndex,
					options: callOptions,
					urgent,
					checkOnly,
					// Max Amount and Max Total bound a reversal as they bound a credit: known once the original is read.
					checkSize: (size, currency) => checkAmount(parameters, size, currency, itemIndex),
				}).run(),
		};
	},
};
