import type { INodeProperties } from 'n8n-workflow';

import { find } from './find.operation';
import { getBalance } from './getBalance.operation';

export const operations = { getBalance, find };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['customer'] } },
		options: [
			{
				name: 'Get Balance',
				value: 'getBalance',
				description:
					'Read the customer\'s current balance (negative = credit they have, positive = amount they owe) and their credit balance per currency',
				action: 'Get a customer balance',
			},
			{
				name: 'Find',
				value: 'find',
				description:
					'Find customers by email (any letter case) or by a Stripe Search query, e.g. a CRM ID in metadata; each with its balance. No match gives no item.',
				action: 'Find customers',
			},
		],
		default: 'getBalance',
	},
	...getBalance.description,
	...find.description,
];
