/**
 * Stripe's rate limiters as Stripe publishes them (docs.stripe.com/rate-limits): a global limit per account, a limit
 * per endpoint (each named operation, whatever object it names) that also counts against the global one, and the
 * Search API's own. A 429 names the limiter that refused it in the Stripe-Rate-Limited-Reason header.
 */
import { isLiveKey } from '../../../credentials/StripeCustomerBalanceApi.credentials';


/** Requests per second: the account's global limit, by the key's mode (live 100/s, test 25/s). */
export function globalLimit(secretKey: string): number {
	return isLiveKey(secretKey) ? 100 : 25;
}

/** Each endpoint's own limit, unless Stripe raised it for the account. */
export const ENDPOINT_LIMIT = 25;

/** Read requests per second to the Search API, per account. */
export const SEARCH_LIMIT = 20;

/** Path segments in an id's place that are names of operations, not ids. */
const OPERATION_WORDS = new Set(['search']);

/**
 * The endpoint a request counts against: its method and path template, e.g.
 * `POST /v1/customers/{customer}/balance_transactions` for every customer. Stripe paths alternate a collection's
 * name and an object's id after `/v1`.
 */
export function endpointOf(method: string, path: string): string {
	const segments = path.split('?')[0].split('/');
	// ['', 'v1', collection, id, collection, id, ...]
	for (let index = 3; index < segments.length; index += 2) {
		if (!OPERATION_WORDS.has(segments[index])) segments[index] = `{${segments[index - 1].replace(/s$/, '')}}`;
	}
	return `${method} ${segments.join('/')}`;
}

export function isSearch(endpoint: string): boolean {
	return endpoint.startsWith('GET ') && endpoint.endsWith('/search');
}

/**
 * What a 429 rate_limit tells the pacer to slow: the limiter its reason names. A reason the node does not know, or
 * none, slows the account (the widest). `resource-specific` limits requests reaching one kind of object, which the
 * node reaches through the endpoint: it slows the endpoint.
 */
export type Refusal = 'global-rate' | 'endpoint-rate' | 'global-concurrency' | 'endpoint-concurrency';

export function refusalOf(reason: string | undefined): Refusal {
	switch (reason?.trim().toLowerCase()) {
		case 'endpoint-rate':
		case 'resource-specific':
			return 'endpoint-rate';
		case 'global-concurrency':
			return 'global-concurrency';
		case 'endpoint-concurrency':
			return 'endpoint-concurrency';
		default:
			return 'global-rate';
	}
}

/** What a reply tells the pacer: a 429 rate_limit names the limiter that refused it; a lock_timeout is a lock, not a limit. */
export function replyOutcome(code: string | undefined, reason: string | undefined): { kind: 'admitted' } | { kind: 'refused'; by: Refusal } {
	return code === 'rate_limit' ? { kind: 'refused', by: refusalOf(reason) } : { kind: 'admitted' };
}
