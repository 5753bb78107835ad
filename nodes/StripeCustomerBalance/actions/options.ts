import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { DEFAULT_CALL_OPTIONS, PINNED_API_VERSION, type CallOptions } from '../transport';
import { apiVersion, connectedAccountId, idempotencyKey, positiveInteger } from '../validation';
import { expandField } from './fields';
import type { ParameterReader } from './parameters';

/**
 * The Options every operation picks its own from (`optionsCollection`), and their readers: per item the request's
 * (`readCallOptions`), per execution the settings read from the first item (`executionSettings`).
 */

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
	| 'expand';

const OPTION_FIELDS: Record<OptionName, INodeProperties> = {
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
