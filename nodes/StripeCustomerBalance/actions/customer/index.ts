import type { INodeProperties } from 'n8n-workflow';

import { getBalance } from './getBalance.operation';

export const operations = { getBalance };

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
		],
		default: 'getBalance',
	},
	...getBalance.description,
];
