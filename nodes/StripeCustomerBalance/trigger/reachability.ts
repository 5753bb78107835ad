import { NodeOperationError, type IHookFunctions } from 'n8n-workflow';

import { checkBaseUrl, checkSecretKey } from '../../../credentials/StripeCustomerBalanceApi.credentials';
import { CREDENTIAL_TYPE } from '../transport';

/** Hosts no one outside this machine reaches: localhost, loopback, the unspecified address, and names under .localhost. */
const LOOPBACK = /^(localhost|.*\.localhost|127(\.\d{1,3}){3}|0\.0\.0\.0|\[::1?\]|\[0*:0*:0*:0*:0*:0*:0*:0*1?\])$/i;
/** Addresses of a private or link-local network: Stripe, on the internet, cannot post to them. */
const PRIVATE = /^(10(\.\d{1,3}){3}|192\.168(\.\d{1,3}){2}|172\.(1[6-9]|2\d|3[01])(\.\d{1,3}){2}|169\.254(\.\d{1,3}){2}|\[f[cd][0-9a-f]{2}:.*\]|\[fe80:.*\])$/i;

/**
 * Why Stripe could not deliver to this webhook URL, or undefined when it can. `stripeIsLocal`: the credential's Base
 * URL is a local test server on this machine (it reaches loopback, and asks for no https).
 */
export function unreachableBecause(webhookUrl: string, liveKey: boolean, stripeIsLocal: boolean): string | undefined {
	if (stripeIsLocal) return undefined;
	let url: URL;
	try {
		url = new URL(webhookUrl);
	} catch {
		return `n8n's webhook URL "${webhookUrl}" is not a URL`;
	}
	const host = url.hostname;
	if (LOOPBACK.test(host)) return `n8n's webhook URL ${url.origin} is on this machine (${host}): Stripe cannot reach it`;
	if (PRIVATE.test(host)) return `n8n's webhook URL ${url.origin} is a private network address: Stripe, on the internet, cannot reach it`;
	if (!host.includes('.') && !host.startsWith('[')) return `n8n's webhook URL ${url.origin} has a host name without a domain (${host}): Stripe cannot look it up`;
	if (liveKey && url.protocol !== 'https:') return `n8n's webhook URL ${url.origin} uses plain http, and Stripe sends live-mode events only to https URLs`;
	return undefined;
}

const HOW_TO_FIX =
	'Give n8n a public https address and tell n8n about it: set the environment variable WEBHOOK_URL (for example WEBHOOK_URL=https://n8n.example.com/) and restart n8n. On your own computer, run a tunnel (cloudflared, ngrok) and set WEBHOOK_URL to the address it gives. Then publish again.';

/**
 * Fails publishing, before anything is made in Stripe, when Stripe could not deliver to the trigger's URL: the endpoint
 * would be created and never receive an event, and the workflow would look published while never starting.
 */
export async function assertStripeCanReach(context: IHookFunctions, webhookUrl: string): Promise<void> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const secret = checkSecretKey(credentials.secretKey);
	const target = checkBaseUrl(credentials.baseUrl);
	const liveKey = 'key' in secret && /^(sk|rk)_live_/.test(secret.key);
	const stripeIsLocal = 'baseUrl' in target && new URL(target.baseUrl).protocol === 'http:';
	const reason = unreachableBecause(webhookUrl, liveKey, stripeIsLocal);
	if (reason) {
		throw new NodeOperationError(
			context.getNode(),
			`Stripe cannot send events to this n8n: ${reason}. Set WEBHOOK_URL to this n8n's public https address (on your own computer: a tunnel's), restart n8n and publish again.`,
			{ description: HOW_TO_FIX },
		);
	}
}
