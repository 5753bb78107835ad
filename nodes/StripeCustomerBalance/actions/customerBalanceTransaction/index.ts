import type { INodeProperties } from 'n8n-workflow';

import { create } from './create.operation';
import { get } from './get.operation';
import { getAll } from './getAll.operation';
import { update } from './update.operation';

export const operations = { create, get, update, getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['customerBalanceTransaction'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				description: 'Credit or debit a customer\'s balance',
				action: 'Create a customer balance transaction',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Retrieve one balance transaction',
				action: 'Get a customer balance transaction',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'List a customer\'s balance transactions, newest first',
				action: 'Get many customer balance transactions',
			},
			{
				name: 'Update',
				value: 'update',
				description: 'Change the description or metadata of a balance transaction',
				action: 'Update a customer balance transaction',
			},
		],
		default: 'create',
	},
	...create.description,
	...get.description,
	...update.description,
	...getAll.description,
];
