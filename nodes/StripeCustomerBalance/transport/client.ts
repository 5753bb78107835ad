import {
	NodeOperationError,
	sleep,
	type ICredentialsDecrypted,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type INode,
} from 'n8n-workflow';

import { checkBaseUrl, checkSecretKey } from '../../../credentials/StripeCustomerBalanceApi.credentials';
import { encodeForm, type FormValue } from '../encoding';
import { networkReason } from './networkErrors';
import { detailsFromReply, toNodeApiError, type StripeErrorDetails } from './errors';
import type { IdempotencyKeys } from './idempotency';
import { RateLimiter, defaultRequestsPerSecond } from './rateLimiter';
import { backoffMs, isRetryable, type Outcome } from './retryPolicy';

export const CREDENTIAL_TYPE = 'stripeCustomerBalanceApi';

/** The API version this node was built and tested against; replies keep this shape whatever the account's default. */
export const PINNED_API_VERSION = '2026-07-29.dahlia';

export interface CallOptions {
	apiVersion: string;
	stripeAccount?: string;
	maxRetries: number;
	timeoutMs: number;
	/** A key the user chose; otherwise writes get a derived one. */
	idempotencyKey?: string;
}

export interface StripeCall {
	method: 'GET' | 'POST';
	path: string;
	params?: Record<string, FormValue>;
	itemIndex: number;
	options: CallOptions;
}

export const DEFAULT_CALL_OPTIONS: CallOptions = { apiVersion: PINNED_API_VERSION, maxRetries: 2, timeoutMs: 80_000 };

type Context = IExecuteFunctions | ILoadOptionsFunctions;

function header(headers: unknown, name: string): string | undefined {
	if (typeof headers !== 'object' || headers === null) return undefined;
	const value = (headers as Record<string, unknown>)[name];
	if (Array.isArray(value)) return value.map(String).join(', ');
	return typeof value === 'string' ? value : undefined;
}

function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body) as unknown;
	} catch {
		return { error: { message: `Stripe sent a reply that is not JSON: ${body.slice(0, 200)}` } };
	}
}

/**
 * The one place that talks to Stripe: credentials checked once, every request paced by the rate limiter, writes
 * made idempotent, failures retried by the retry policy, and failures turned into NodeApiErrors carrying Stripe's words.
 */
export class StripeClient {
	private constructor(
		private readonly context: Context,
		/** Read and checked once, then handed to every request, which spares n8n fetching and decrypting them each time. */
		private readonly credentials: ICredentialsDecrypted,
		private readonly baseUrl: string,
		private readonly limiter: RateLimiter,
		private readonly idempotencyKeys: IdempotencyKeys | undefined,
	) {}

	static async connect(
		context: Context,
		settings: { maxRequestsPerSecond?: number; idempotencyKeys?: IdempotencyKeys } = {},
	): Promise<StripeClient> {
		const credentials = await context.getCredentials(CREDENTIAL_TYPE);
		const secret = checkSecretKey(credentials.secretKey);
		if ('problem' in secret) throw new NodeOperationError(context.getNode(), secret.problem);
		const target = checkBaseUrl(credentials.baseUrl);
		if ('problem' in target) throw new NodeOperationError(context.getNode(), target.problem);
		const rate = settings.maxRequestsPerSecond ?? defaultRequestsPerSecond(secret.key);
		const reference = context.getNode().credentials?.[CREDENTIAL_TYPE];
		const decrypted: ICredentialsDecrypted = {
			id: reference?.id ?? '',
			name: reference?.name ?? CREDENTIAL_TYPE,
			type: CREDENTIAL_TYPE,
			data: credentials,
		};
		return new StripeClient(context, decrypted, target.baseUrl, new RateLimiter(rate), settings.idempotencyKeys);
	}

	get node(): INode {
		return this.context.getNode();
	}

	async send(call: StripeCall): Promise<IDataObject> {
		const { method, path, itemIndex, options } = call;
		const encoded = encodeForm(call.params ?? {});
		const url = `${this.baseUrl}${path}${method === 'GET' && encoded ? `?${encoded}` : ''}`;
		const headers: Record<string, string> = { Accept: 'application/json', 'Stripe-Version': options.apiVersion };
		if (options.stripeAccount) headers['Stripe-Account'] = options.stripeAccount;
		if (method === 'POST') {
			headers['Content-Type'] = 'application/x-www-form-urlencoded';
			headers['Idempotency-Key'] =
				options.idempotencyKey ?? this.derivedKey(itemIndex, method, path, encoded, options.stripeAccount);
		}
		const request: IHttpRequestOptions = {
			method,
			url,
			headers,
			body: method === 'POST' ? encoded : undefined,
			timeout: options.timeoutMs,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		};

		for (let attempt = 1; ; attempt++) {
			await this.limiter.acquire();
			const outcome = await this.attempt(request);
			if (outcome.kind === 'reply' && outcome.statusCode < 300) {
				this.limiter.onSuccess();
				return (outcome.body ?? {}) as IDataObject;
			}
			if (outcome.kind === 'reply' && outcome.statusCode === 429 && outcome.code === 'rate_limit') {
				this.limiter.onRateLimited();
			}
			if (!outcome.retryable || attempt > options.maxRetries) {
				throw toNodeApiError(this.node, { ...outcome.details, attempts: attempt }, itemIndex);
			}
			await sleep(backoffMs(attempt, outcome.policy));
		}
	}

	private derivedKey(itemIndex: number, method: string, path: string, body: string, account?: string): string {
		if (!this.idempotencyKeys) throw new NodeOperationError(this.node, 'Writes need an idempotency key scope');
		return this.idempotencyKeys.keyFor(itemIndex, method, path, body, account);
	}

	private async attempt(request: IHttpRequestOptions): Promise<
		| { kind: 'reply'; statusCode: number; body: unknown; code?: string; retryable: boolean; policy: Outcome; details: StripeErrorDetails }
		| { kind: 'network'; retryable: boolean; policy: Outcome; details: StripeErrorDetails }
	> {
		let response: { body: unknown; headers: unknown; statusCode: number };
		try {
			response = await this.context.helpers.httpRequestWithAuthentication.call(
				this.context,
				CREDENTIAL_TYPE,
				{ ...request, headers: { ...request.headers } },
				{ credentialsDecrypted: this.credentials },
			);
		} catch (error) {
			const reason = networkReason(error);
			const policy: Outcome = { kind: 'network', reason: reason ?? 'failed' };
			const write = request.method === 'POST';
			const message = reason
				? `Could not reach Stripe (${reason})${write ? '. If Stripe received the request, retrying this execution replays it instead of writing again (same idempotency key)' : ''}`
				: `The request to Stripe failed: ${(error as Error).message}`;
			return {
				kind: 'network',
				retryable: reason !== undefined,
				policy,
				details: { message, type: 'api_connection_error' },
			};
		}
		const body = parseBody(response.body);
		const requestId = header(response.headers, 'request-id');
		const retryAfter = Number(header(response.headers, 'retry-after'));
		const policy: Outcome = {
			kind: 'reply',
			statusCode: response.statusCode,
			shouldRetryHeader: header(response.headers, 'stripe-should-retry'),
			retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
		};
		const details = detailsFromReply(response.statusCode, body, requestId);
		return { kind: 'reply', statusCode: response.statusCode, body, code: details.code, retryable: isRetryable(policy), policy, details };
	}
}
