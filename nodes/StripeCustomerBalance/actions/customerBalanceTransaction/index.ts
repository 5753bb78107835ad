import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { create } from './create.operation';
import { get } from './get.operation';
import { getAll } from './getAll.operation';
import { reverse } from './reverse.operation';
import { update } from './update.operation';
import { FROM_VERSION_2, VERSION_1 } from './amountFields';

export const operations = { create, get, update, getAll, reverse };

const operationsOfBoth: INodePropertyOptions[] = [
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
];

const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: operationsOfBoth,
	default: 'create',
};

export const description: INodeProperties[] = [
	{ ...operationField, displayOptions: { show: { resource: ['customerBalanceTransaction'], ...VERSION_1 } } },
	// Version 2 adds Reverse: a saved version 1 workflow keeps the operations it was built with.
	{
		...operationField,
		displayOptions: { show: { resource: ['customerBalanceTransaction'], ...FROM_VERSION_2 } },
		options: [
			...operationsOfBoth,
			{
				name: 'Reverse',
				value: 'reverse',
				description: 'Undo a credit or debit: write the opposite amount once, linked both ways',
				action: 'Reverse a customer balance transaction',
			},
		].sort((a, b) => a.name.localeCompare(b.name)),
	},
	...create.description,
	...get.description,
	...update.description,
	...getAll.description,
	...reverse.description,
];
