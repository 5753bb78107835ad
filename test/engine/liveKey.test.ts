/**
 * A live key (sk_live_, rk_live_) goes to Stripe's API (https://api.stripe.com) and nowhere else, loopback included:
 * the credential's Test, every request of the node (workflow runs, the customer picker) and any other request n8n makes
 * with this credential are refused before a socket opens. Another Base URL works with a test key only. The refusal
 * names the Base URL and repeats neither the URL nor the key.
 */
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { CREDENTIAL_TYPE, ITEMS_NODE_TYPE, TEST_CREDENTIAL, registerNodeType, runWorkflow, searchList, testCredential } from '.';
import { HookRecorder } from '../shared/hookRecorder';
import { byId, createFromItem, runStripe, useSandbox } from './support';

const sandbox = useSandbox();
let collector: HookRecorder;

beforeAll(async () => {
	collector = await HookRecorder.start();
});
beforeEach(() => collector.clear());
afterAll(async () => await collector.close());

const LIVE_KEYS = ['sk_live_51LiveSecretKeyNeverSentAnywhere01', 'rk_live_51LiveRestrictedKeyNeverSent0002'];

/** Where a live key must not go: the local sandbox, and a collector on loopback that records whatever reaches it. */
const places = () => [
	['the sandbox', sandbox().url],
	['a collector on loopback', collector.url.replace(/\/hook$/, '')],
];

/** The refusal: it names the Base URL, and neither the URL nor the key (whole or in part) is in it. */
function expectLiveKeyRefusal(message: string | undefined, key: string, baseUrl: string): void {
	expect(message).toMatch(/live key .*Base URL to https:\/\/api\.stripe\.com/);
	expect(message).not.toContain(new URL(baseUrl).host);
	expect(message).not.toContain(key.slice(8, 20));
	expect(message).not.toContain(key.slice(-6));
}

function expectNothingSent(): void {
	expect(sandbox().requests).toHaveLength(0);
	expect(collector.requests).toHaveLength(0);
}

describe("the credential's Test", () => {
	it.each(LIVE_KEYS)('refuses %s with any Base URL but Stripe\'s, before anything is sent', async (key) => {
		for (const [, baseUrl] of places()) {
			const result = await testCredential({ secretKey: key, baseUrl });
			expect(result.status).toBe('Error');
			expectLiveKeyRefusal(result.message, key, baseUrl);
		}
		expectNothingSent();
	});

	it.each([
		['Stripe\'s host over plain http', 'http://api.stripe.com'],
		['a path under Stripe\'s host', 'https://api.stripe.com/v1'],
		['a host that starts like Stripe\'s', 'https://api.stripe.com.collector.test'],
		['a user before another host', 'https://api.stripe.com@127.0.0.1'],
		['something that is not a URL', 'collector.test/v1'],
	])('refuses a live key with %s', async (_name, baseUrl) => {
		const result = await testCredential({ secretKey: LIVE_KEYS[0], baseUrl });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/live key .*Base URL/);
		expect(result.message).not.toContain(baseUrl);
		expectNothingSent();
	});

	it('passes with a test key on the sandbox: the Test runs through the credential\'s authenticate', async () => {
		const result = await testCredential({ secretKey: sandbox().secretKey, baseUrl: sandbox().url });
		expect(result.status).toBe('OK');
		// The test request carries no header of its own: the Bearer token is what authenticate adds.
		expect(String(sandbox().requests[0].headers.authorization)).toMatch(/^Bearer sk_test_/);
	});
});

describe('the node', () => {
	it.each(LIVE_KEYS)('with %s and the sandbox as Base URL, fails before anything reaches the sandbox', async (key) => {
		const customer = sandbox().createCustomer({});
		const items = [1, 2].map(() => ({ customer: customer.id, amount: -1, currency: 'usd' }));
		const stopped = await runStripe(sandbox(), items, createFromItem(), {}, { credentials: { secretKey: key } });
		expect(stopped.status).toBe('error');
		expectLiveKeyRefusal(stopped.error?.message, key, sandbox().url);

		const continued = await runStripe(sandbox(), items, createFromItem(), { onError: 'continueRegularOutput' }, { credentials: { secretKey: key } });
		const output = continued.output('Stripe');
		expect(output).toHaveLength(2);
		for (const item of output) expectLiveKeyRefusal(String(item.json.error), key, sandbox().url);
		expect(JSON.stringify(continued.run.data)).not.toContain(key);
		expectNothingSent();
	});

	it('with a live key and a collector as Base URL, sends it nothing', async () => {
		const baseUrl = collector.url.replace(/\/hook$/, '');
		const result = await runStripe(sandbox(), [{}], { ...createFromItem({ amount: -1, currency: 'usd' }), customer: byId('cus_Collector01') }, {}, {
			credentials: { secretKey: LIVE_KEYS[0], baseUrl },
		});
		expectLiveKeyRefusal(result.error?.message, LIVE_KEYS[0], baseUrl);
		expectNothingSent();
	});

	it("the customer picker refuses a live key with the sandbox's URL", async () => {
		await expect(searchList('searchCustomers', { secretKey: LIVE_KEYS[0], baseUrl: sandbox().url }, 'jane')).rejects.toThrow(/live key .*Base URL/);
		expectNothingSent();
	});

	it('a test key still works against the sandbox', async () => {
		const customer = sandbox().createCustomer({});
		const result = await runStripe(sandbox(), [{ customer: customer.id, amount: -100, currency: 'usd' }], createFromItem());
		expect(result.status).toBe('success');
		expect(sandbox().transactions()).toHaveLength(1);
	});
});

/**
 * Any node may ask n8n for a request with this credential (n8n's HTTP Request node with a predefined credential type
 * does, through either helper): the key is added only to requests for the credential's own Base URL.
 */
const KEYED_REQUEST_TYPE = 'n8n-nodes-engine-harness.keyedRequest';

class KeyedRequestNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Keyed Request',
		name: 'keyedRequest',
		group: ['transform'],
		version: 1,
		description: 'Test-only: a GET with the Stripe Customer Balance credential, as a generic HTTP node would send it',
		defaults: { name: 'Keyed Request' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		properties: [
			{ displayName: 'URL', name: 'url', type: 'string', default: '' },
			{ displayName: 'Legacy Helper', name: 'legacy', type: 'boolean', default: false },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const url = this.getNodeParameter('url', 0) as string;
		const reply: unknown = this.getNodeParameter('legacy', 0)
			? await this.helpers.requestWithAuthentication.call(this, CREDENTIAL_TYPE, { method: 'GET', uri: url, json: true })
			: await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL_TYPE, { method: 'GET', url });
		return [[{ json: { reply: reply as never }, pairedItem: { item: 0 } }]];
	}
}

beforeAll(() => registerNodeType(KEYED_REQUEST_TYPE, new KeyedRequestNode()));

async function keyedRequest(url: string, legacy: boolean, credential: { secretKey: string; baseUrl: string }) {
	return await runWorkflow({
		nodes: [
			{ name: 'Items', type: ITEMS_NODE_TYPE, parameters: { items: '[{}]' } },
			{ name: 'Request', type: KEYED_REQUEST_TYPE, parameters: { url, legacy }, credentials: { [CREDENTIAL_TYPE]: { ...TEST_CREDENTIAL } } },
		],
		credentials: { [CREDENTIAL_TYPE]: credential },
	});
}

describe('other requests with this credential', () => {
	it.each([false, true])('are refused when they go elsewhere than its Base URL (legacy helper: %s): the collector receives nothing', async (legacy) => {
		for (const credential of [
			{ secretKey: sandbox().secretKey, baseUrl: sandbox().url },
			{ secretKey: LIVE_KEYS[0], baseUrl: 'https://api.stripe.com' },
		]) {
			const result = await keyedRequest(`${collector.url}?from=request`, legacy, credential);
			expect(result.status).toBe('error');
			expect(JSON.stringify(result.run.data)).toMatch(/does not go to the credential's Base URL/);
			expect(JSON.stringify(result.run.data)).not.toContain(credential.secretKey);
		}
		expectNothingSent();
	});

	it('go out with the key when they are for its Base URL', async () => {
		const result = await keyedRequest(`${sandbox().url}/v1/customers?limit=1`, false, { secretKey: sandbox().secretKey, baseUrl: sandbox().url });
		expect(result.status).toBe('success');
		expect(String(sandbox().requests[0].headers.authorization)).toMatch(/^Bearer sk_test_/);
	});
});
