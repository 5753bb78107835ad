import type { INodeProperties } from 'n8n-workflow';

import { InvalidInput, TEXT_BOUNDS, boundedText, customerEmail, customerId } from '../validation';
import type { CustomerRef } from './customerLookup';
import { readOptions } from './options';
import type { ParameterReader } from './parameters';

const DASHBOARD_CUSTOMER_URL =
	/^https:\/\/dashboard\.stripe\.com\/(?:acct_[A-Za-z0-9]+\/)?(?:test\/)?customers\/(cus_[A-Za-z0-9]+)\/?(?:[?#].*)?$/;

/** The Customer field (From List, By ID, By URL, By Email) and its reader. */
export const customerLocator: INodeProperties = {
	displayName: 'Customer',
	name: 'customer',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description:
		'The Stripe customer whose balance this is: from the list, by ID, by Dashboard URL, or by email. An email (e.g. from a CRM record) is looked up when the node runs, ignoring letter case: exactly one customer must have it (see Options > If Several Customers Match).',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a customer…',
			typeOptions: { searchListMethod: 'searchCustomers', searchable: true, searchFilterRequired: false },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'cus_NffrFeUfNV2Hib',
			validation: [
				{
					type: 'regex',
					properties: { regex: '^cus_[A-Za-z0-9]+$', errorMessage: 'A customer ID looks like cus_NffrFeUfNV2Hib' },
				},
			],
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'https://dashboard.stripe.com/test/customers/cus_NffrFeUfNV2Hib',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: DASHBOARD_CUSTOMER_URL.source,
						errorMessage: 'A Stripe Dashboard customer URL looks like https://dashboard.stripe.com/customers/cus_NffrFeUfNV2Hib',
					},
				},
			],
			extractValue: { type: 'regex', regex: DASHBOARD_CUSTOMER_URL.source },
		},
		{
			displayName: 'By Email',
			name: 'email',
			type: 'string',
			placeholder: 'jane@acme.com',
			validation: [
				{
					type: 'regex',
					properties: { regex: '^\\s*[^\\s@"\\\\]+@[^\\s@"\\\\]+\\s*$', errorMessage: 'An email looks like jane@acme.com' },
				},
			],
		},
	],
};

/**
 * The customer from any of the locator's modes, or from a plain string that an expression produced: an id, or (By
 * Email) an email that CustomerLookup resolves when the item is sent.
 */
export function readCustomer(parameters: ParameterReader, itemIndex: number): CustomerRef {
	const raw = parameters.get('customer', itemIndex);
	const locator = typeof raw === 'object' && raw !== null ? (raw as { mode?: string; value?: unknown }) : { value: raw };
	if (locator.mode === 'email') {
		const ifSeveral = readOptions(parameters, itemIndex).ifSeveralMatch;
		return { email: customerEmail('Customer', locator.value), ifSeveral: ifSeveral === 'mostRecentlyCreated' ? 'mostRecentlyCreated' : 'fail' };
	}
	return { id: readCustomerId(locator) };
}

function readCustomerId(locator: { mode?: string; value?: unknown }): string {
	const value = typeof locator.value === 'string' ? boundedText('Customer', locator.value, TEXT_BOUNDS.dashboardUrl).trim() : locator.value;
	if (locator.mode === 'url' || (typeof value === 'string' && value.startsWith('https://'))) {
		const match = typeof value === 'string' ? DASHBOARD_CUSTOMER_URL.exec(value) : null;
		if (!match) {
			throw new InvalidInput(
				'Customer',
				`${JSON.stringify(typeof value === 'string' && value.length > 60 ? `${value.slice(0, 60)}…` : value)} is not a Stripe Dashboard customer URL`,
				'It looks like https://dashboard.stripe.com/customers/cus_NffrFeUfNV2Hib (or …/test/customers/… in test mode).',
			);
		}
		return match[1];
	}
	return customerId(value);
}
