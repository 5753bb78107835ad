/**
 * Which webhook endpoints in a shared Stripe account the trigger may treat as its own (reconcile and unpublish delete
 * only those): trigger/endpointLifecycle.ts. Its URL only: the tag and the static data are copied with a database.
 * In the real n8n: two instances with the same imported workflow, and a staging copy of an instance's user folder, in
 * test/e2e/triggerBesideOthers.e2e.test.ts.
 */
import { isOwnEndpoint } from '../../nodes/StripeCustomerBalance/trigger/endpointLifecycle';

const url = 'https://staging.example.com/webhook/5b0f3c1e/webhook';
const tag = { n8n_trigger: 'stripeCustomerBalanceTrigger', n8n_webhook_id: '5b0f3c1e', n8n_webhook_kind: 'production', n8n_instance: 'markOfStaging' };

describe('an endpoint is this trigger\'s in this instance only at this instance\'s URL', () => {
	it('its URL: only this instance receives there (also an endpoint with no metadata, or another instance\'s mark)', () => {
		expect(isOwnEndpoint({ url, metadata: {} }, url)).toBe(true);
		expect(isOwnEndpoint({ url, metadata: { ...tag, n8n_instance: 'markOfLaptop' } }, url)).toBe(true);
	});

	it('another URL with this instance\'s very tag and mark (a staging copy of production\'s database, or WEBHOOK_URL changed since): not this instance\'s', () => {
		expect(isOwnEndpoint({ url: 'https://production.example.com/webhook/5b0f3c1e/webhook', metadata: { ...tag } }, url)).toBe(false);
		expect(isOwnEndpoint({ url: 'https://old.example.com/webhook/5b0f3c1e/webhook', metadata: { ...tag } }, url)).toBe(false);
	});

	it('the same workflow in another instance (same webhook id, another URL and mark): never', () => {
		expect(isOwnEndpoint({ url: 'https://laptop.example.com/webhook/5b0f3c1e/webhook', metadata: { ...tag, n8n_instance: 'markOfLaptop' } }, url)).toBe(false);
	});

	it('the test endpoint is not the production endpoint\'s, nor the other way round', () => {
		expect(isOwnEndpoint({ url: 'https://staging.example.com/webhook-test/5b0f3c1e/webhook', metadata: { ...tag, n8n_webhook_kind: 'test' } }, url)).toBe(false);
		expect(isOwnEndpoint({ url, metadata: { ...tag } }, 'https://staging.example.com/webhook-test/5b0f3c1e/webhook')).toBe(false);
	});
});
