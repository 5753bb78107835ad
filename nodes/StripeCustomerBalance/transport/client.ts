import {
	NodeOperationError,
	sleep,
	type ICredentialsDecrypted,
	type IDataObject,
	type IExecuteFunctions,
	type IHookFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type INode,
	type IWebhookFunctions,
} from 'n8n-workflow';

import { checkCredential } from '../../../credentials/StripeCustomerBalanceApi.credentials';
import { encodeForm, type FormValue } from '../encoding';
import { headerValue } from './headers';
import { networkReason } from './networkErrors';
import { alreadySentDetails, detailsFromReply, toNodeApiError, type StripeErrorDetails } from './errors';
import type { IdempotencyKeys } from './idempotency';
import { accountId, platformAccountId, processPacers, type AccountPacer, type LimitSettings } from './accountPacers';
import type { PacerLimits } from './pacer';
import { ENDPOINT_LIMIT, endpointOf, globalLimit, replyOutcome } from './stripeLimits';
import { backoffMs, isRetryable, isWaitable, waitMs, type Outcome } from './retryPolicy';

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
	/**
	 * Its turn at the account's pacer comes first: more writes to its customer wait behind it (execution/customerOrder.ts),
	 * or an execution waits for this read (the trigger's lookup).
	 */
	urgent?: boolean;
	method: 'GET' | 'POST' | 'DELETE';
	path: string;
	params?: Record<string, FormValue>;
	itemIndex: number;
	options: CallOptions;
}

export const DEFAULT_CALL_OPTIONS: CallOptions = { apiVersion: PINNED_API_VERSION, maxRetries: 2, timeoutMs: 80_000 };

/** The action node's executions and pickers; the trigger's endpoint lifecycle (hooks) and deliveries (webhook). */
type Context = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body) as unknown;
	} catch {
		return { error: { message: `Stripe sent a reply that is not JSON: ${body.slice(0, 200)}` } };
	}
}

/**
 * The one place that talks to Stripe: credentials checked once, every request paced by its account's pacer (shared by
 * every execution of this process), writes made idempotent, failures retried by the retry policy, and failures turned
 * into NodeApiErrors carrying Stripe's words.
 */
export class StripeClient {
	/** The pacers this client holds to its own limits (Options), until `close()`. */
	private readonly joined = new Set<AccountPacer>();

	private closed = false;

	private constructor(
		private readonly context: Context,
		/** Read and checked once, then handed to every request, which spares n8n fetching and decrypting them each time. */
		private readonly credentials: ICredentialsDecrypted,
		private readonly baseUrl: string,
		/** The platform account's id in the process registry (a digest of key and base URL). */
		private readonly platformAccount: string,
		/** Stripe's limits for this key. */
		private readonly defaults: PacerLimits,
		/** The execution's own limits, if it set any. */
		private readonly limits: LimitSettings | undefined,
		private readonly idempotencyKeys: IdempotencyKeys | undefined,
	) {}

	static async connect(
		context: Context,
		settings: { maxRequestsPerSecond?: number; endpointRequestsPerSecond?: number; idempotencyKeys?: IdempotencyKeys } = {},
	): Promise<StripeClient> {
		const credentials = await context.getCredentials(CREDENTIAL_TYPE);
		// The credential's own rule (also applied to every request by its `authenticate`): refused here, nothing is sent.
		const checked = checkCredential(credentials.secretKey, credentials.baseUrl);
		if ('problem' in checked) throw new NodeOperationError(context.getNode(), checked.problem);
		const reference = context.getNode().credentials?.[CREDENTIAL_TYPE];
		const decrypted: ICredentialsDecrypted = {
			id: reference?.id ?? '',
			name: reference?.name ?? CREDENTIAL_TYPE,
			type: CREDENTIAL_TYPE,
			data: credentials,
		};
		return new StripeClient(
			context,
			decrypted,
			checked.baseUrl,
			platformAccountId(checked.key, checked.baseUrl),
			{ global: globalLimit(checked.key), endpoint: ENDPOINT_LIMIT },
			settings.maxRequestsPerSecond === undefined && settings.endpointRequestsPerSecond === undefined
				? undefined
				: { global: settings.maxRequestsPerSecond, endpoint: settings.endpointRequestsPerSecond },
			settings.idempotencyKeys,
		);
	}

	get node(): INode {
		return this.context.getNode();
	}

	/** Lets go of this client's limits: the account's pacer goes back to those of the executions still running. */
	close(): void {
		this.closed = true;
		for (const pacer of this.joined) pacer.leave(this);
		this.joined.clear();
	}

	/** The account a call with these options goes to (the platform account, or the connected account acted for). */
	account(stripeAccount: string | undefined): string {
		return accountId(this.platformAccount, stripeAccount);
	}

	/**
	 * The request `send` would make for this call, without making it: what Check Only shows. Built by the same code as
	 * the real send, so the two can never differ. Carries no credential (n8n adds the Authorization header on sending).
	 */
	describe(call: StripeCall): IHttpRequestOptions & { headers: Record<string, string> } {
		const { method, path, options } = call;
		const encoded = encodeForm(call.params ?? {});
		const url = `${this.baseUrl}${path}${method === 'GET' && encoded ? `?${encoded}` : ''}`;
		const headers: Record<string, string> = { Accept: 'application/json', 'Stripe-Version': options.apiVersion };
		if (options.stripeAccount) headers['Stripe-Account'] = options.stripeAccount;
		if (method === 'POST') {
			headers['Content-Type'] = 'application/x-www-form-urlencoded';
			headers['Idempotency-Key'] = this.idempotencyKeyOf(call);
		}
		return {
			method,
			url,
			headers,
			body: method === 'POST' ? encoded : undefined,
			timeout: options.timeoutMs,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		};
	}

	/** Whether this node's run started before in this execution (Retry On Fail, n8n's Retry): its own keys may be used. */
	get runAttemptedBefore(): boolean {
		return this.idempotencyKeys?.attemptedBefore === true;
	}

	/** The Idempotency-Key a write carries: the user's (Options), or the one derived from where the item comes from. */
	idempotencyKeyOf(call: Pick<StripeCall, 'itemIndex' | 'options'>): string {
		return call.options.idempotencyKey ?? this.derivedKey(call.itemIndex, 'POST', call.options.stripeAccount);
	}

	/** Sends one call: paced, made idempotent (writes), retried by the retry policy; Stripe's failures as NodeApiErrors. */
	async send(call: StripeCall): Promise<IDataObject> {
		return (await this.exchange(call)).object;
	}

	/** Sends one write, and says whether Stripe replayed an earlier one with its key (`Idempotent-Replayed`). */
	async write(call: StripeCall & { method: 'POST' }): Promise<{ object: IDataObject; replayed: boolean }> {
		return await this.exchange(call);
	}

	private async exchange(call: StripeCall): Promise<{ object: IDataObject; replayed: boolean }> {
		// An email lookup still running when its execution failed: nothing more goes out for it, and the account's pacer
		// is not held to the ended execution's limits again.
		if (this.closed) throw new NodeOperationError(this.node, 'The execution this request belonged to has ended', { itemIndex: call.itemIndex });
		const { itemIndex, options, method, path } = call;
		const request = this.describe(call);
		const { headers } = request;
		const pacer = this.pacer(options.stripeAccount);
		const endpoint = endpointOf(method, path);
		const waitUntil = Date.now() + options.timeoutMs;

		// Failures count against Max Retries; a 429 (rate limit, customer lock) is a wait, bounded by the Timeout.
		let failures = 0;
		let waits = 0;
		let urgent = call.urgent === true;
		// A replay answering a retry after a failure that may have reached Stripe replays this call's own first write:
		// only a replay of a key used before this call means nothing was written now.
		let mayHaveWritten = false;
		for (let attempt = 1; ; attempt++) {
			const turn = await pacer.acquire(endpoint, urgent);
			pacer.sent(turn);
			const outcome = await this.attempt(request);
			pacer.settle(turn, outcome.kind === 'network' ? { kind: 'no-reply' } : replyOutcome(outcome.code, outcome.rateLimitedReason));
			if (outcome.kind === 'reply' && outcome.statusCode < 300) {
				return { object: (outcome.body ?? {}) as IDataObject, replayed: outcome.replayed && !mayHaveWritten };
			}
			if (outcome.kind === 'reply' && outcome.details.type === 'idempotency_error' && outcome.statusCode === 400) {
				const key = headers['Idempotency-Key'];
				throw toNodeApiError(this.node, alreadySentDetails(outcome.details, itemIndex, key, options.idempotencyKey !== undefined), itemIndex);
			}
			const code = outcome.kind === 'reply' ? outcome.code : undefined;
			if (isWaitable(outcome.policy, code)) {
				waits += 1;
				const delay = waitMs(waits, outcome.policy, code);
				if (Date.now() + delay > waitUntil) {
					const waited = `still answering 429 after ${Math.round(options.timeoutMs / 1000)} s (Options > Timeout)`;
					throw toNodeApiError(this.node, { ...outcome.details, message: `${outcome.details.message} Stripe was ${waited}.`, attempts: attempt }, itemIndex);
				}
				await sleep(delay);
				// Another process holds the customer at Stripe: at the back of the pacer's line, this write would let
				// it take the customer again and again.
				if (code === 'lock_timeout') urgent = true;
				continue;
			}
			failures += 1;
			mayHaveWritten = true;
			if (!outcome.retryable || failures > options.maxRetries) {
				throw toNodeApiError(this.node, { ...outcome.details, attempts: attempt }, itemIndex);
			}
			await sleep(backoffMs(failures, outcome.policy));
		}
	}

	private pacer(stripeAccount: string | undefined): AccountPacer {
		const pacer = processPacers.pacer(this.account(stripeAccount), this.defaults);
		if (this.limits !== undefined && !this.joined.has(pacer)) {
			pacer.join(this, this.limits);
			this.joined.add(pacer);
		}
		return pacer;
	}

	private derivedKey(itemIndex: number, method: string, account?: string): string {
		if (!this.idempotencyKeys) throw new NodeOperationError(this.node, 'Writes need an idempotency key scope');
		return this.idempotencyKeys.keyFor(itemIndex, method, account);
	}

	private async attempt(request: IHttpRequestOptions): Promise<
		| {
				kind: 'reply';
				statusCode: number;
				body: unknown;
				replayed: boolean;
				code?: string;
				rateLimitedReason?: string;
				retryable: boolean;
				policy: Outcome;
				details: StripeErrorDetails;
		  }
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
				// a write that failed in a way not recognised may still have reached Stripe: the same key makes a retry safe
				retryable: reason !== undefined || write,
				policy,
				details: { message, type: 'api_connection_error' },
			};
		}
		const body = parseBody(response.body);
		const requestId = headerValue(response.headers, 'request-id');
		const retryAfter = Number(headerValue(response.headers, 'retry-after'));
		const policy: Outcome = {
			kind: 'reply',
			statusCode: response.statusCode,
			shouldRetryHeader: headerValue(response.headers, 'stripe-should-retry'),
			retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
		};
		const details = detailsFromReply(response.statusCode, body, requestId);
		return {
			kind: 'reply',
			statusCode: response.statusCode,
			body,
			replayed: headerValue(response.headers, 'idempotent-replayed') === 'true',
			code: details.code,
			rateLimitedReason: headerValue(response.headers, 'stripe-rate-limited-reason'),
			retryable: isRetryable(policy),
			policy,
			details,
		};
	}
}

