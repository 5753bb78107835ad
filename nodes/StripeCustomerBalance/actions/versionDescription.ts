import { NodeConnectionTypes, type INodeTypeDescription } from 'n8n-workflow';

import * as customer from './customer';
import * as customerBalanceTransaction from './customerBalanceTransaction';

export const versionDescription: INodeTypeDescription = {
	displayName: 'Stripe Customer Balance',
	name: 'stripeCustomerBalance',
	icon: { light: 'file:../../icons/stripe.svg', dark: 'file:../../icons/stripe.dark.svg' },
	group: ['transform'],
	version: 1,
	subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
	description: 'Credit, debit and read a Stripe customer\'s balance, safely: idempotent, retried and rate limited',
	defaults: { name: 'Stripe Customer Balance' },
	usableAsTool: true,
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: [{ name: 'stripeCustomerBalanceApi', required: true }],
	properties: [
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Customer Balance Transaction', value: 'customerBalanceTransaction' },
				{ name: 'Customer', value: 'customer' },
			],
			default: 'customerBalanceTransaction',
		},
		...customerBalanceTransaction.description,
		...customer.description,
	],
};
