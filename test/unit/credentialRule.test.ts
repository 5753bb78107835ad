/**
 * The credential's one rule for where its key may go (checkCredential): a live key to https://api.stripe.com only,
 * written any way that is that URL; any other Base URL with a test key only. (test/engine/liveKey.test.ts shows it
 * holding in n8n: nothing is sent.)
 */
import { LIVE_KEY_BASE_URL_PROBLEM, STRIPE_API_URL, checkCredential } from '../../credentials/StripeCustomerBalanceApi.credentials';

const LIVE = 'sk_live_51LiveSecretKeyForTheRule000001';
const TEST = 'sk_test_51TestSecretKeyForTheRule000001';

describe('checkCredential', () => {
	it.each([undefined, '', 'https://api.stripe.com', ' https://api.stripe.com/ ', 'https://API.Stripe.com:443', 'https://api.stripe.com//'])(
		'takes a live key to Stripe\'s API, written as %p',
		(baseUrl) => {
			expect(checkCredential(LIVE, baseUrl)).toEqual({ key: LIVE, baseUrl: STRIPE_API_URL });
			expect(checkCredential('rk_live_51LiveRestrictedForTheRule0001', baseUrl)).toMatchObject({ baseUrl: STRIPE_API_URL });
		},
	);

	it.each([
		'http://127.0.0.1:12111',
		'http://localhost:12111',
		'https://stripe-mock.internal',
		'https://api.stripe.com/v1',
		'https://api.stripe.com.',
		'https://files.stripe.com',
		'https://api.stripe.com?x=1',
		'x'.repeat(1_000_000),
	])('refuses a live key with %p, in one fixed text naming the Base URL', (baseUrl) => {
		// one fixed text, whatever the URL and key
		expect(checkCredential(LIVE, baseUrl)).toEqual({ problem: LIVE_KEY_BASE_URL_PROBLEM });
		expect(LIVE_KEY_BASE_URL_PROBLEM).toMatch(/live key .*Base URL to https:\/\/api\.stripe\.com/);
	});

	it('takes a test key to a local sandbox or a mock server, and to Stripe', () => {
		expect(checkCredential(TEST, 'http://127.0.0.1:12111/')).toEqual({ key: TEST, baseUrl: 'http://127.0.0.1:12111' });
		expect(checkCredential(TEST, 'https://stripe-mock.internal/prefix')).toEqual({ key: TEST, baseUrl: 'https://stripe-mock.internal/prefix' });
		expect(checkCredential(TEST, undefined)).toEqual({ key: TEST, baseUrl: STRIPE_API_URL });
	});

	it('still refuses a test key in clear over the network, and a Base URL too long to be one, without echoing it', () => {
		expect(checkCredential(TEST, 'http://collector.test')).toEqual({ problem: expect.stringMatching(/Base URL must use https/) });
		const long = `https://collector.test/${'/'.repeat(100_000)}x`;
		expect(checkCredential(TEST, long)).toEqual({ problem: expect.stringMatching(/Base URL is longer than 2048 characters/) });
	});
});
