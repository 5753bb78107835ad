/**
 * Which webhook endpoints in a shared Stripe account the trigger may treat as its own (reconcile and unpublish delete
 * only those): trigger/endpointLifecycle.ts. Two instances with the same imported workflow are run in the real n8n in
 * test/e2e/triggerBesideOthers.e2e.test.ts.
 */
import { isOwnEndpoint } from '../../nodes/StripeCustomerBalance/trigger/endpointLifecycle';

const url = 'https://staging.example.com/webhook/5b0f3c1e/webhook';
const tag = { n8n_trigger: 'stripeCustomerBalanceTrigger', n8n_webhook_id: '5b0f3c1e', n8n_webhook_kind: 'production', n8n_instance: 'markOfStaging' };

describe('an endpoint is this trigger\'s in this instance only when that is provable', () => {
	it('its URL: only this instance receives there (also an endpoint made before instance marks, or with no metadata)', () => {
		expect(isOwnEndpoint({ url, metadata: {} }, url, tag)).toBe(true);
		expect(isOwnEndpoint({ url, metadata: { ...tag, n8n_instance: undefined } }, url, tag)).toBe(true);
	});

	it('its tag with this instance\'s mark, at another URL (WEBHOOK_URL changed since): this instance made it', () => {
		expect(isOwnEndpoint({ url: 'https://old.example.com/webhook/5b0f3c1e/webhook', metadata: { ...tag } }, url, tag)).toBe(true);
	});

	it('the same workflow in another instance (same webhook id, another URL and mark): never, also when its secret is unknown here', () => {
		expect(isOwnEndpoint({ url: 'https://laptop.example.com/webhook/5b0f3c1e/webhook', metadata: { ...tag, n8n_instance: 'markOfLaptop' } }, url, tag)).toBe(false);
	});

	it('an endpoint tagged before instance marks existed, at another URL: not provably this instance\'s', () => {
		const { n8n_instance: _mark, ...legacy } = tag;
		expect(isOwnEndpoint({ url: 'https://laptop.example.com/webhook/5b0f3c1e/webhook', metadata: legacy }, url, tag)).toBe(false);
	});

	it('the test endpoint is not the production endpoint\'s, nor the other way round', () => {
		expect(isOwnEndpoint({ url: 'https://staging.example.com/webhook-test/5b0f3c1e/webhook', metadata: { ...tag, n8n_webhook_kind: 'test' } }, url, tag)).toBe(false);
	});
});
