import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

const KEY_PATTERN = /^(sk|rk)_(test|live)_[A-Za-z0-9]{8,240}$/;
const LIVE_KEY = /^(sk|rk)_live_/;
const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;
/** Longer than any real one; refused before it is parsed. */
const MAX_BASE_URL_LENGTH = 2048;

/** The only place a live key is sent: Stripe's API, over https, with no path. */
export const STRIPE_API_URL = 'https://api.stripe.com';

export const KEY_FORMAT_HINT =
	'A Stripe key looks like sk_test_… or sk_live_… (restricted keys: rk_test_… or rk_live_…) followed by letters and digits. Copy it whole from the Stripe Dashboard > Developers > API keys.';

export const LIVE_KEY_BASE_URL_PROBLEM =
	"The credential holds a live key (sk_live_… or rk_live_…), which is sent only to Stripe's API: set its Base URL to https://api.stripe.com (the default). A local sandbox or mock server takes a test key (sk_test_… or rk_test_…).";

type Checked<T> = T | { problem: string };

/** The key as it will be sent, or an error message that never repeats the key. */
export function checkSecretKey(value: unknown): Checked<{ key: string }> {
	const key = typeof value === 'string' ? value.trim() : '';
	if (key === '') return { problem: `The credential has no secret key. ${KEY_FORMAT_HINT}` };
	if (key.startsWith('pk_')) {
		return { problem: `The credential holds a publishable key (pk_…), which cannot change balances. ${KEY_FORMAT_HINT}` };
	}
	if (!KEY_PATTERN.test(key)) return { problem: `The credential's secret key is not a Stripe secret key. ${KEY_FORMAT_HINT}` };
	return { key };
}

export function isLiveKey(key: string): boolean {
	return LIVE_KEY.test(key);
}

/** Refuses anything that would send the key in clear over the network: https, or http on a loopback host. Never echoes the URL. */
export function checkBaseUrl(value: unknown): Checked<{ baseUrl: string }> {
	const text = typeof value === 'string' && value.trim() !== '' ? value.trim() : STRIPE_API_URL;
	if (text.length > MAX_BASE_URL_LENGTH) return { problem: `The credential's Base URL is longer than ${MAX_BASE_URL_LENGTH} characters. Use ${STRIPE_API_URL}.` };
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return { problem: `The credential's Base URL is not a URL. Use ${STRIPE_API_URL}.` };
	}
	const local = url.protocol === 'http:' && LOOPBACK_HOSTS.test(url.hostname);
	if (url.protocol !== 'https:' && !local) {
		return { problem: "The credential's Base URL must use https (plain http is allowed only on localhost or 127.0.0.1)." };
	}
	if (url.username || url.password || url.search || url.hash) {
		return { problem: "The credential's Base URL may not contain a user, password, query or fragment." };
	}
	return { baseUrl: `${url.origin}${withoutTrailingSlashes(url.pathname)}` };
}

/** Linear on any input (a regex like /\/+$/ is quadratic on a long run of slashes followed by something else). */
function withoutTrailingSlashes(path: string): string {
	let end = path.length;
	while (end > 0 && path[end - 1] === '/') end--;
	return path.slice(0, end);
}

/**
 * Where this credential's key may go, the one rule every request and the credential's Test pass through: the key's
 * format; a Base URL that keeps it out of clear text; and a live key only to Stripe's API (https://api.stripe.com, no
 * path). Any other Base URL (a local sandbox, stripe-mock) works with a test key only. Messages name the Base URL
 * but never repeat it, nor the key.
 */
export function checkCredential(secretKey: unknown, baseUrl: unknown): Checked<{ key: string; baseUrl: string }> {
	const secret = checkSecretKey(secretKey);
	if ('problem' in secret) return secret;
	const target = checkBaseUrl(baseUrl);
	if (isLiveKey(secret.key) && ('problem' in target || target.baseUrl !== STRIPE_API_URL)) return { problem: LIVE_KEY_BASE_URL_PROBLEM };
	if ('problem' in target) return target;
	return { key: secret.key, baseUrl: target.baseUrl };
}

/** What axios, under n8n's HTTP helpers, takes for an absolute URL (its `isAbsoluteURL`): a scheme, or none, then `//`. */
const ABSOLUTE_URL = /^([a-z][a-z\d+\-.]*:)?\/\//i;

/** The URL text of a request: `url`, or `uri` for the legacy request helper. */
function urlOf(request: IHttpRequestOptions & { uri?: unknown }): string {
	const url = request.url ?? request.uri;
	return typeof url === 'string' ? url : String(url ?? '');
}

/** The base a relative URL is joined to: the request's own, or when it has none the checked Base URL. */
function baseOf(request: IHttpRequestOptions, checkedBaseUrl: string): string {
	return typeof request.baseURL === 'string' && request.baseURL.trim() !== '' ? request.baseURL.trim() : checkedBaseUrl;
}

/** The URL a request goes to, as n8n's HTTP helpers (axios) build it; undefined when that is not a URL. */
function destinationOf(request: IHttpRequestOptions, checkedBaseUrl: string): URL | undefined {
	const url = urlOf(request);
	try {
		if (ABSOLUTE_URL.test(url)) return new URL(url);
		return new URL(`${withoutTrailingSlashes(baseOf(request, checkedBaseUrl))}/${url.replace(/^\/+/, '')}`);
	} catch {
		return undefined;
	}
}

/** Whether a request's destination is the checked Base URL or under it (same origin, path below the Base URL's). */
function isUnder(destination: URL, baseUrl: string): boolean {
	const base = new URL(baseUrl);
	if (destination.origin !== base.origin || destination.username || destination.password) return false;
	return base.pathname === '/' || destination.pathname === base.pathname || destination.pathname.startsWith(`${base.pathname}/`);
}

export class StripeCustomerBalanceApi implements ICredentialType {
	name = 'stripeCustomerBalanceApi';

	displayName = 'Stripe Customer Balance API';

	icon: Icon = { light: 'file:../icons/stripe.svg', dark: 'file:../icons/stripe.dark.svg' };

	documentationUrl = 'https://docs.stripe.com/keys';

	properties: INodeProperties[] = [
		{
			displayName: 'Secret Key',
			name: 'secretKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: 'sk_test_...',
			description:
				'A Stripe secret key (sk_test_… or sk_live_…) or a restricted key (rk_test_… or rk_live_…) allowed to write customers; for the Stripe Customer Balance Trigger, also allowed to write webhook endpoints (it creates and deletes its own). Find it in the Stripe Dashboard under Developers > API keys.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.stripe.com',
			description:
				"Where Stripe's API is. Keep the default: a live key (sk_live_…, rk_live_…) is sent nowhere else. Another URL (a local sandbox, stripe-mock) works with a test key only, and must use https unless it is on localhost or 127.0.0.1.",
		},
	];

	// A function rather than the generic block so that the key goes nowhere the credential does not allow (checkCredential),
	// in workflow runs, in the credential's Test and in any other request n8n makes with this credential: whatever the
	// request's own URL, the key is added only when it goes to the checked Base URL.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const checked = checkCredential(credentials.secretKey, credentials.baseUrl);
		if ('problem' in checked) throw new Error(checked.problem);
		const destination = destinationOf(requestOptions, checked.baseUrl);
		if (destination === undefined || !isUnder(destination, checked.baseUrl)) {
			throw new Error("The request does not go to the credential's Base URL, the only place its key is sent.");
		}
		return {
			...requestOptions,
			// The base as checked: the credential's Test takes the stored Base URL as typed (empty reads as the default).
			...(!ABSOLUTE_URL.test(urlOf(requestOptions)) && { baseURL: baseOf(requestOptions, checked.baseUrl) }),
			headers: { ...requestOptions.headers, Authorization: `Bearer ${checked.key}` },
		};
	}

	// Any key that may create balance transactions may list customers, which is also what the customer picker uses.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/v1/customers',
			qs: { limit: 1 },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Stripe refused this key. A secret key looks like sk_test_… or sk_live_… (restricted keys: rk_test_… or rk_live_…), copied whole from the Stripe Dashboard > Developers > API keys.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'This restricted key may not read customers. Give it write access to Customers in the Stripe Dashboard > Developers > API keys.',
				},
			},
		],
	};
}
