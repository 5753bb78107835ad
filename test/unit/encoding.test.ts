/**
 * The node encodes request bodies exactly as Stripe's official SDK does. The reference is the SDK's own encoder
 * (stripe-node's queryStringifyRequestData), fed the same awkward values.
 */
import { encodeForm, type FormValue } from '../../nodes/StripeCustomerBalance/encoding';

import { dirname, join } from 'path';

// The SDK's package exports hide its encoder; load the file next to its entry point.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { queryStringifyRequestData } = require(join(dirname(require.resolve('stripe')), 'utils.js')) as {
	queryStringifyRequestData: (data: unknown) => string;
};

const fiftyKeys = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`key_${index}`, `value ${index}`]));

const corpus: Array<[string, Record<string, FormValue>]> = [
	['a plain credit', { amount: -1000, currency: 'eur' }],
	['unicode', { amount: 5, currency: 'usd', description: 'Crédit geste commercial — ありがとう 🎉' }],
	['spaces and reserved characters', { description: 'a b&c=d+e%f?g#h/i' }],
	['brackets inside values', { description: 'see [ticket] #12', metadata: { note: 'x[0]=y' } }],
	['RFC 3986 extras', { description: "it's (really) *great*!" }],
	['empty strings (unset a metadata key)', { description: '', metadata: { old_key: '' } }],
	['null is sent empty, undefined is dropped', { description: null, metadata: undefined, amount: 1 }],
	['indexed arrays', { expand: ['customer', 'invoice', 'credit_note'] }],
	['list filters', { limit: 100, created: { gte: 1767225600, lt: 1769904000 }, expand: ['data.invoice'] }],
	['50 metadata keys', { amount: -500, currency: 'usd', metadata: fiftyKeys }],
	['metadata keys with spaces and unicode', { metadata: { 'crm id': '42', 'clé': 'valeur', 'a&b': 'c=d' } }],
	['booleans and zero', { flag: true, other: false, amount: 0 }],
	['newlines and tabs', { description: 'line 1\nline 2\tend\r\n' }],
	['a date is sent as unix seconds', { created: new Date('2026-11-01T00:00:00Z') as unknown as FormValue }],
];

describe('form encoding matches the official stripe SDK', () => {
	it.each(corpus)('%s', (_name, params) => {
		expect(encodeForm(params)).toBe(queryStringifyRequestData(params));
	});

	it('keeps nested keys in brackets and arrays indexed', () => {
		expect(encodeForm({ metadata: { plan: 'pro' }, expand: ['customer'] })).toBe('metadata[plan]=pro&expand[0]=customer');
	});
});
