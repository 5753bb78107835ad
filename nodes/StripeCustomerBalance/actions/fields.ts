import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { EXPANDABLE_TRANSACTION_FIELDS, metadata, type MetadataPair } from '../validation';

/** Fields several operations share, and their readers. */
export const metadataField: INodeProperties = {
	displayName: 'Metadata',
	name: 'metadata',
	type: 'fixedCollection',
	placeholder: 'Add Metadata',
	default: {},
	typeOptions: { multipleValues: true },
	description:
		'Key-value pairs stored on the transaction (at most 50; keys up to 40 characters without [ or ], values up to 500). An empty value removes that key.',
	options: [
		{
			displayName: 'Metadata',
			name: 'metadataValues',
			values: [
				{ displayName: 'Key', name: 'key', type: 'string', default: '', description: 'Metadata key, e.g. crm_id' },
				{
					displayName: 'Value',
					name: 'value',
					type: 'string',
					default: '',
					description: 'Metadata value, e.g. 0012345. Leave empty to remove the key.',
				},
			],
		},
	],
};

export function readMetadata(fields: IDataObject): Record<string, string> | undefined {
	const collection = fields.metadata as { metadataValues?: MetadataPair[] } | undefined;
	if (!collection || !Array.isArray(collection.metadataValues) || collection.metadataValues.length === 0) return undefined;
	return metadata('Metadata', collection.metadataValues);
}

/** Return All, or a Limit (default 50), for operations that output many objects per item. */
export const returnAllAndLimit: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		displayOptions: { show: { returnAll: [false] } },
		description: 'Max number of results to return',
	},
];

export const descriptionField: INodeProperties = {
	displayName: 'Description',
	name: 'description',
	type: 'string',
	default: '',
	description: 'A note stored with the transaction in Stripe, at most 350 characters, e.g. Goodwill credit for ticket 4512',
};

export const expandField: INodeProperties = {
	displayName: 'Expand',
	name: 'expand',
	type: 'multiOptions',
	default: [],
	description: 'Related objects to return in full instead of as IDs',
	options: EXPANDABLE_TRANSACTION_FIELDS.map((field) => ({
		name: field
			.split('_')
			.map((word) => word[0].toUpperCase() + word.slice(1))
			.join(' '),
		value: field,
	})),
};
