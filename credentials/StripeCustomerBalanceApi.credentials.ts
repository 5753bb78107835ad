import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

const KEY_PATTERN = /^(sk|rk)_(test|live)_[A-Za-z0-9]{8,240}$/;
const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

export const KEY_FORMAT_HINT =
	'A Stripe key looks like sk_test_… or sk_live_… (restricted keys: rk_test_… or rk_live_…) followed by letters and digits. Copy it whole from the Stripe Dashboard > Developers > API keys.';

/** The key as it will be sent, or an error message that never repeats the key. */
export function checkSecretKey(value: unknown): { key: string } | { problem: string } {
	const key = typeof value === 'string' ? value.trim() : '';
	if (key === '') return { problem: `The credential has no secret key. ${KEY_FORMAT_HINT}` };
	if (key.startsWith('pk_')) {
		return { problem: `The credential holds a publishable key (pk_…), which cannot change balances. ${KEY_FORMAT_HINT}` };
	}
	if (!KEY_PATTERN.test(key)) return { problem: `The credential's secret key is not a Stripe secret key. ${KEY_FORMAT_HINT}` };
	return { key };
}

/** Refuses anything that would send the key in clear over the network: https, or http on a loopback host. */
export function checkBaseUrl(value: unknown): { baseUrl: string } | { problem: string } {
	const text = typeof value === 'string' && value.trim() !== '' ? value.trim() : 'https://api.stripe.com';
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return { problem: `The credential's Base URL "${text}" is not a URL. Use https://api.stripe.com.` };
	}
	const local = url.protocol === 'http:' && LOOPBACK_HOSTS.test(url.hostname);
	if (url.protocol !== 'https:' && !local) {
		return {
			problem: `The credential's Base URL must use https (plain http is allowed only on localhost or 127.0.0.1), got "${url.protocol}//${url.host}".`,
		};
	}
	if (url.username || url.password || url.search || url.hash) {
		return { problem: 'The credential\'s Base URL may not contain a user, password, query or fragment.' };
	}
	return { baseUrl: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
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
				'Where Stripe\'s API is. Keep the default. Must use https; plain http is accepted only for a local test server on localhost or 127.0.0.1.',
		},
	];

	// A function rather than the generic block so that a malformed key or an unsafe Base URL is refused before anything
	// leaves the machine, in workflow runs and in the credential test alike.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const secret = checkSecretKey(credentials.secretKey);
		if ('problem' in secret) throw new Error(secret.problem);
		const target = checkBaseUrl(requestOptions.baseURL ?? credentials.baseUrl);
		if ('problem' in target) throw new Error(target.problem);
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, Authorization: `Bearer ${secret.key}` },
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
