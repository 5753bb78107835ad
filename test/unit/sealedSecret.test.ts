/**
 * The trigger's signing secret at rest (trigger/sealedSecret.ts, trigger/endpointState.ts): sealed with a key derived
 * from the credential's secret key, bound to its endpoint; what the static data may hold, old or altered; and the
 * notices for refused deliveries (trigger/refusalNotices.ts). In the real n8n: test/e2e/trigger.e2e.test.ts.
 */
import { ObservableObject, type IDataObject } from 'n8n-workflow';

import { openSecret, sealSecret } from '../../nodes/StripeCustomerBalance/trigger/sealedSecret';
import { CANNOT_OPEN, UNUSABLE, keepEndpoint, keptEndpoint, openKeptSecret } from '../../nodes/StripeCustomerBalance/trigger/endpointState';
import {
	MISMATCHES_BEFORE_NOTICE,
	NOTICE_EVERY_SECONDS,
	REMEDY,
	noteRefusal,
	noteVerified,
	refusalAnswer,
} from '../../nodes/StripeCustomerBalance/trigger/refusalNotices';

const secret = 'whsec_0123456789abcdefghijklmnopqrstuv';
const credentialKey = 'sk_test_credentialKeyForSealing0001';
const binding = { endpointId: 'we_123', url: 'https://n8n.example.com/webhook/abc/webhook' };

/** The static data as n8n hands it to a webhook request, after a save and a load (JSON). */
const reloaded = (data: IDataObject) => ObservableObject.create(JSON.parse(JSON.stringify(data)) as IDataObject);

describe('sealing the signing secret', () => {
	it('round trip: what is sealed opens with the same credential key and endpoint, and holds nothing of the secret', () => {
		const sealed = sealSecret(secret, credentialKey, binding);
		expect(openSecret(sealed, credentialKey, binding)).toBe(secret);
		expect(sealed).not.toContain('whsec_');
		expect(sealed).not.toContain(secret.slice(6, 20));
		expect(Buffer.from(sealed.split('.')[2], 'base64url').toString('latin1')).not.toContain('whsec');
	});

	it('each sealing differs (a fresh IV), and each opens', () => {
		const [a, b] = [sealSecret(secret, credentialKey, binding), sealSecret(secret, credentialKey, binding)];
		expect(a).not.toBe(b);
		expect([openSecret(a, credentialKey, binding), openSecret(b, credentialKey, binding)]).toEqual([secret, secret]);
	});

	it('another credential key (rotated) opens nothing', () => {
		const sealed = sealSecret(secret, credentialKey, binding);
		expect(openSecret(sealed, 'sk_test_rotatedKey000000000000000001', binding)).toBeUndefined();
		expect(openSecret(sealed, '', binding)).toBeUndefined();
	});

	it('tampered data opens nothing: any part changed, or the sealed secret moved to another endpoint or URL', () => {
		const sealed = sealSecret(secret, credentialKey, binding);
		const parts = sealed.split('.');
		for (const index of [1, 2, 3]) {
			const bytes = Buffer.from(parts[index], 'base64url');
			bytes[0] ^= 1;
			const tampered = parts.map((part, i) => (i === index ? bytes.toString('base64url') : part)).join('.');
			expect(openSecret(tampered, credentialKey, binding)).toBeUndefined();
		}
		expect(openSecret(sealed, credentialKey, { ...binding, endpointId: 'we_456' })).toBeUndefined();
		expect(openSecret(sealed, credentialKey, { ...binding, url: 'https://staging.example.com/webhook/abc/webhook' })).toBeUndefined();
	});

	it('garbage opens nothing and throws nothing', () => {
		for (const garbage of ['', 'sealed1', 'sealed1...', 'sealed1.a.b.c', 'sealed2.AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA', secret, '.'.repeat(10_000)]) {
			expect(openSecret(garbage, credentialKey, binding)).toBeUndefined();
		}
	});
});

describe('what the static data holds of the endpoint', () => {
	it('a new endpoint is kept sealed: no `secret` and no `whsec_` in what n8n saves, and it opens after a save and a load', () => {
		const staticData: IDataObject = {};
		keepEndpoint(staticData, 'endpoint', { id: 'we_123', url: binding.url, secret }, credentialKey);
		const saved = JSON.stringify(staticData);
		expect(saved).not.toContain('whsec_');
		expect(Object.keys(staticData.endpoint as IDataObject).sort()).toEqual(['id', 'sealedSecret', 'url']);

		const loaded = reloaded(staticData);
		expect(openKeptSecret(loaded, 'endpoint', keptEndpoint(loaded, 'endpoint'), credentialKey)).toEqual({ secret, endpointId: 'we_123' });
	});

	it('with the credential\'s key changed, the kept secret cannot be opened, and says so', () => {
		const staticData: IDataObject = {};
		keepEndpoint(staticData, 'endpoint', { id: 'we_123', url: binding.url, secret }, credentialKey);
		expect(openKeptSecret(staticData, 'endpoint', keptEndpoint(staticData, 'endpoint'), 'sk_test_rotated')).toEqual({ problem: CANNOT_OPEN });
	});

	it('a clear secret from 0.1.0 still verifies, and is sealed in place at that first use', () => {
		const staticData = reloaded({ endpoint: { id: 'we_123', url: binding.url, secret } });
		const kept = keptEndpoint(staticData, 'endpoint');
		expect(kept).toMatchObject({ kind: 'clear' });
		expect(openKeptSecret(staticData, 'endpoint', kept, credentialKey)).toEqual({ secret, endpointId: 'we_123' });
		// n8n saves the static data after the request, as ObservableObject marked it changed.
		expect(staticData.__dataChanged).toBe(true);
		expect(JSON.stringify(staticData)).not.toContain('whsec_');
		expect(openKeptSecret(staticData, 'endpoint', keptEndpoint(staticData, 'endpoint'), credentialKey)).toEqual({ secret, endpointId: 'we_123' });
	});

	it.each([
		['a non-string secret', { id: 'we_123', url: binding.url, secret: 12345 }],
		['a non-string sealed secret', { id: 'we_123', url: binding.url, sealedSecret: { nested: true } }],
		['no secret at all', { id: 'we_123', url: binding.url }],
		['no id', { url: binding.url, sealedSecret: 'sealed1.a.b.c' }],
		['a string', 'whatever'],
		['an array', [1, 2, 3]],
		['a number', 42],
	])('%s is unusable, refused cleanly (no throw)', (_what, state) => {
		const staticData = { endpoint: state } as IDataObject;
		const kept = keptEndpoint(staticData, 'endpoint');
		expect(kept).toEqual({ kind: 'unusable' });
		expect(openKeptSecret(staticData, 'endpoint', kept, credentialKey)).toEqual({ problem: UNUSABLE });
	});

	it('a sealed secret that is garbage cannot be opened (no throw)', () => {
		const staticData = { endpoint: { id: 'we_123', url: binding.url, sealedSecret: 'not sealed at all' } } as IDataObject;
		expect(openKeptSecret(staticData, 'endpoint', keptEndpoint(staticData, 'endpoint'), credentialKey)).toEqual({ problem: CANNOT_OPEN });
	});

	it('nothing kept is undefined, not unusable', () => {
		expect(keptEndpoint({}, 'endpoint')).toBeUndefined();
		expect(keptEndpoint({ endpoint: null } as IDataObject, 'endpoint')).toBeUndefined();
	});
});

describe('refused deliveries are told, with the remedy, and the log is bounded', () => {
	it('the answer Stripe\'s Dashboard shows names the reason and the remedy', () => {
		expect(refusalAnswer('mismatch', 'no v1 signature matches the endpoint\'s secret')).toMatch(/no v1 signature matches.*rolled in Stripe's Dashboard.*Unpublish and publish the workflow/);
		expect(refusalAnswer('unusable', CANNOT_OPEN)).toBe(`Signature refused: ${CANNOT_OPEN}. ${REMEDY}`);
	});

	it(`mismatches are logged from the ${MISMATCHES_BEFORE_NOTICE}rd in a row, then at most once an hour; a valid delivery starts the count again`, () => {
		const endpoint = 'wf\u0000node\u0000endpoint-mismatch';
		const now = 1_800_000_000;
		const logged = (at: number) => noteRefusal(endpoint, 'mismatch', at);
		expect([logged(now), logged(now + 1)]).toEqual([undefined, undefined]);
		expect(logged(now + 2)).toBe(3);
		expect(Array.from({ length: 100 }, (_, i) => logged(now + 3 + i)).filter((count) => count !== undefined)).toEqual([]);
		expect(logged(now + 2 + NOTICE_EVERY_SECONDS)).toBe(104);

		noteVerified(endpoint);
		expect([logged(now + 10_000), logged(now + 10_001), logged(now + 10_002)]).toEqual([undefined, undefined, 3]);
	});

	it('a secret that cannot be opened is logged at the first refusal, then at most once an hour', () => {
		const endpoint = 'wf\u0000node\u0000endpoint-unusable';
		const now = 1_800_000_000;
		expect(noteRefusal(endpoint, 'unusable', now)).toBe(1);
		expect(noteRefusal(endpoint, 'unusable', now + NOTICE_EVERY_SECONDS - 1)).toBeUndefined();
		expect(noteRefusal(endpoint, 'unusable', now + NOTICE_EVERY_SECONDS)).toBe(3);
	});
});
