import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { DEFAULT_CALL_OPTIONS, PINNED_API_VERSION, type CallOptions } from '../transport';
import {
	EXPANDABLE_TRANSACTION_FIELDS,
	InvalidInput,
	apiVersion,
	connectedAccountId,
	customerEmail,
	customerId,
	idempotencyKey,
	metadata,
	positiveInteger,
	type MetadataPair,
} from '../validation';
import type { CustomerRef } from './customerLookup';
import type { ParameterReader } from './parameters';

const DASHBOARD_CUSTOMER_URL =
	/^https:\/\/dashboard\.stripe\.com\/(?:acct_[A-Za-z0-9]+\/)?(?:test\/)?customers\/(cus_[A-Za-z0-9]+)\/?(?:[?#].*)?$/;

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
	const value = typeof locator.value === 'string' ? locator.value.trim() : locator.value;
	if (locator.mode === 'url' || (typeof value === 'string' && value.startsWith('https://'))) {
		const match = typeof value === 'string' ? DASHBOARD_CUSTOMER_URL.exec(value) : null;
		if (!match) {
			throw new InvalidInput(
				'Customer',
				`${JSON.stringify(value)} is not a Stripe Dashboard customer URL`,
				'It looks like https://dashboard.stripe.com/customers/cus_NffrFeUfNV2Hib (or …/test/customers/… in test mode).',
			);
		}
		return match[1];
	}
	return customerId(value);
}

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
	description: 'A note shown to you in Stripe and on the customer\'s invoices, at most 350 characters, e.g. Goodwill credit for ticket 4512',
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

/**
 * Sized so the rate limiter, not the pool, is the bottleneck. Requests in flight = rate x latency, and every request
 * through n8n's HTTP helper opens a new connection (TCP and TLS handshakes included): at 500 ms, 100 requests/s need
 * 50 in flight. The benchmark's sweep: 64 keeps 70/s at 500 ms where 32 caps near 52/s, and costs nothing at 100 ms;
 * the extra requests wait in the rate limiter, not at Stripe.
 */
export const DEFAULT_CONCURRENCY = 64;

// The fields' defaults are what a request gets when the option is not set (n8n's lint wants them as plain names).
const { maxRetries: DEFAULT_MAX_RETRIES, timeoutMs: DEFAULT_TIMEOUT_MS } = DEFAULT_CALL_OPTIONS;

type OptionName =
	| 'ifSeveralMatch'
	| 'idempotencyKey'
	| 'stripeAccount'
	| 'apiVersion'
	| 'maxRetries'
	| 'timeout'
	| 'concurrency'
	| 'maxRequestsPerSecond'
	| 'endpointRequestsPerSecond'
	| 'amountFormat'
	| 'direction'
	| 'expand';

const OPTION_FIELDS: Record<OptionName, INodeProperties> = {
	amountFormat: {
		displayName: 'Amount Format',
		name: 'amountFormat',
		type: 'options',
		default: 'smallestUnit',
		description: 'How Amount is written',
		options: [
			{
				name: 'Smallest Unit (Cents)',
				value: 'smallestUnit',
				description: 'Whole number of the currency\'s smallest unit, as Stripe counts: 1250 means 12.50 EUR, 1250 JPY means ¥1250',
			},
			{
				name: 'Decimal',
				value: 'decimal',
				description: 'The amount as people write it, e.g. 12.50 (EUR), 1250 (JPY) or 1.250 (KWD); refused if the currency cannot hold it',
			},
		],
	},
	direction: {
		displayName: 'Direction',
		name: 'direction',
		type: 'options',
		default: 'signed',
		description: 'Whether Amount carries its own sign or is a positive size whose direction you choose here',
		options: [
			{ name: 'Signed Amount', value: 'signed', description: 'Negative credits the customer, positive debits them' },
			{ name: 'Credit the Customer', value: 'credit', description: 'A positive Amount is credited (sent as negative)' },
			{ name: 'Debit the Customer', value: 'debit', description: 'A positive Amount is debited (owed on the next invoice)' },
		],
	},
	expand: expandField,
	ifSeveralMatch: {
		displayName: 'If Several Customers Match',
		name: 'ifSeveralMatch',
		type: 'options',
		default: 'fail',
		description: 'For Customer By Email: what happens when more than one customer has the email (letter case ignored)',
		options: [
			{
				name: 'Fail the Item',
				value: 'fail',
				description: 'The item fails with the matching customers\' IDs and creation dates, and nothing is sent for it',
			},
			{
				name: 'Use the Most Recently Created',
				value: 'mostRecentlyCreated',
				description: 'The newest of them is used, and the output says so (customerChosen: the email, the customer used, every match)',
			},
		],
	},
	idempotencyKey: {
		displayName: 'Idempotency Key',
		name: 'idempotencyKey',
		type: 'string',
		default: '',
		description:
			"Stripe applies a write once per key for 24 hours; a repeat replays the first answer. By default each item's key is derived from the execution, node and item, and survives Retry On Fail and n8n's Retry of a failed execution, so they never write twice. Set your own (e.g. an order ID from an expression) to also be safe across separate executions: a webhook delivered twice, a step re-run in the editor, a crash. At most 255 characters.",
	},
	stripeAccount: {
		displayName: 'Stripe Account',
		name: 'stripeAccount',
		type: 'string',
		default: '',
		placeholder: 'acct_1032D82eZvKYlo2C',
		description: 'With Stripe Connect: the connected account to act for (sent as the Stripe-Account header)',
	},
	apiVersion: {
		displayName: 'API Version',
		name: 'apiVersion',
		type: 'string',
		default: PINNED_API_VERSION,
		description: `The Stripe API version to use (Stripe-Version header). The default, ${PINNED_API_VERSION}, is the one this node was tested against.`,
	},
	maxRetries: {
		displayName: 'Max Retries',
		name: 'maxRetries',
		type: 'number',
		default: DEFAULT_MAX_RETRIES,
		typeOptions: { minValue: 0, maxValue: 10 },
		description:
			'How often a request is retried after a network error, timeout, 409 or 5xx, with backoff and the same idempotency key. A 429 (Stripe\'s rate limit, or the customer busy with another write) is waited out for up to Timeout instead, and not counted here.',
	},
	timeout: {
		displayName: 'Timeout (Ms)',
		name: 'timeout',
		type: 'number',
		default: DEFAULT_TIMEOUT_MS,
		typeOptions: { minValue: 1000, maxValue: 600000 },
		description: 'How long to wait for one answer from Stripe before retrying; also how long a request may wait out 429s',
	},
	concurrency: {
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'number',
		default: DEFAULT_CONCURRENCY,
		typeOptions: { minValue: 1, maxValue: 100 },
		description:
			'How many requests may be in flight at once (read from the first item). Writes to the same customer always go one at a time, in input order.',
	},
	maxRequestsPerSecond: {
		displayName: 'Max Requests per Second',
		name: 'maxRequestsPerSecond',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0, maxValue: 1000 },
		description:
			"Ceiling on the account's total request rate (read from the first item). 0 picks Stripe's global limit for the key: 100/s for live keys, 25/s for test keys. Set more only if Stripe raised your account's limit. Each endpoint also has its own limit (Max Requests per Second per Endpoint), so bulk credits go at most 25/s by default. All executions running in this n8n process share the account's limits (the lowest any of them set), and the node slows down by itself when Stripe still answers 429: several n8n processes on one key (queue-mode workers) find their shares that way.",
	},
	endpointRequestsPerSecond: {
		displayName: 'Max Requests per Second per Endpoint',
		name: 'endpointRequestsPerSecond',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0, maxValue: 1000 },
		description:
			"Ceiling on each Stripe endpoint's request rate (read from the first item), e.g. creating balance transactions, for any customer. 0 picks Stripe's default limit per endpoint: 25/s. Set more only if Stripe raised that limit for your account. Customer searches stay under Stripe's Search limit (20/s) either way.",
	},
};

/** Version 1's Options > Amount Format and Direction (version 2's are in amountFields.ts), for reading their values. */
export const VERSION_1_OPTIONS = { amountFormat: OPTION_FIELDS.amountFormat, direction: OPTION_FIELDS.direction };

/** The Options collection of one operation, offering the options that operation uses (and `own` ones of its own). */
export function optionsCollection(names: OptionName[], own: INodeProperties[] = []): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [...names.map((name) => OPTION_FIELDS[name]), ...own].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

/** Per-item request options (headers, retries, timeout, idempotency) from the Options collection. */
export function readCallOptions(options: IDataObject): CallOptions {
	return {
		apiVersion: apiVersion(options.apiVersion, PINNED_API_VERSION),
		stripeAccount:
			options.stripeAccount === undefined || options.stripeAccount === ''
				? undefined
				: connectedAccountId(options.stripeAccount),
		maxRetries:
			options.maxRetries === undefined
				? DEFAULT_CALL_OPTIONS.maxRetries
				: positiveInteger('Max Retries', options.maxRetries, 0, 10),
		timeoutMs:
			options.timeout === undefined
				? DEFAULT_CALL_OPTIONS.timeoutMs
				: positiveInteger('Timeout (Ms)', options.timeout, 1000, 600000),
		idempotencyKey: idempotencyKey(options.idempotencyKey),
	};
}

/** Read from the first item, option by option: a bad choice elsewhere in its Options fails that item, not the run. */
export function executionSettings(context: IExecuteFunctions): { concurrency: number; maxRequestsPerSecond?: number; endpointRequestsPerSecond?: number } {
	const options = (context.getNodeParameter('options', 0, {}) ?? {}) as { concurrency?: unknown; maxRequestsPerSecond?: unknown; endpointRequestsPerSecond?: unknown };
	const rate = (value: unknown, name: string) => (value === undefined || value === 0 ? undefined : positiveInteger(name, value, 1, 1000));
	return {
		concurrency: options.concurrency === undefined ? DEFAULT_CONCURRENCY : positiveInteger('Concurrency', options.concurrency, 1, 100),
		maxRequestsPerSecond: rate(options.maxRequestsPerSecond, 'Max Requests per Second'),
		endpointRequestsPerSecond: rate(options.endpointRequestsPerSecond, 'Max Requests per Second per Endpoint'),
	};
}

export function readOptions(parameters: ParameterReader, itemIndex: number): IDataObject {
	const options = parameters.get('options', itemIndex, {}) as IDataObject;
	return typeof options === 'object' && options !== null ? options : {};
}
