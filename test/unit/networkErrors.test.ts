/**
 * The network classifier on the errors n8n really throws: fixtures captured from n8n 1.x and 2.x by
 * test/fixtures/network-errors/capture.js (one file per version), plus shapes other layers produce.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { networkReason } from '../../nodes/StripeCustomerBalance/transport/networkErrors';

type Shape = { [key: string]: unknown; message?: string };

const FIXTURES = join(__dirname, '../fixtures/network-errors');

/** Rebuilds a captured error: an Error with the captured fields, its wrapped errors rebuilt the same way. */
function rebuild(shape: unknown): unknown {
	if (Array.isArray(shape)) return shape.map(rebuild);
	if (typeof shape !== 'object' || shape === null) return shape;
	const { message, class: _class, ...fields } = shape as Shape;
	const error = new Error(message);
	for (const [key, value] of Object.entries(fields)) (error as unknown as Record<string, unknown>)[key] = rebuild(value);
	return error;
}

const EXPECTED: Record<string, string> = {
	refused: 'ECONNREFUSED',
	'reset-no-reply': 'ECONNRESET',
	'reset-mid-body': 'reply cut off',
	timeout: 'timed out',
};

const captured = readdirSync(FIXTURES)
	.filter((file) => /^n8n-.*\.json$/.test(file))
	.map((file) => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { n8n: string; cases: Record<string, Shape> });

it('has fixtures of both n8n majors', () => {
	expect(new Set(captured.map((fixture) => fixture.n8n.split('.')[0]))).toEqual(new Set(['1', '2']));
});

describe.each(captured.map((fixture) => [fixture.n8n, fixture] as const))('errors captured from n8n %s', (_version, fixture) => {
	it.each(Object.keys(EXPECTED))('%s', (name) => {
		expect(fixture.cases[name]).toBeDefined();
		expect(networkReason(rebuild(fixture.cases[name]))).toBe(EXPECTED[name]);
	});
});

describe('other wrappings', () => {
	const withCode = (message: string, code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { code, ...extra });

	it('undici: TypeError "terminated" whose cause is the socket error', () => {
		const error = new TypeError('terminated', { cause: withCode('other side closed', 'UND_ERR_SOCKET') });
		expect(networkReason(error)).toBe('UND_ERR_SOCKET');
	});

	it("Node's connection attempts to several addresses: AggregateError with the codes in errors[]", () => {
		const error = new AggregateError([withCode('connect ECONNREFUSED ::1:443', 'ECONNREFUSED'), withCode('connect ECONNREFUSED 127.0.0.1:443', 'ECONNREFUSED')], '');
		expect(networkReason({ message: 'wrapped', errorResponse: error })).toBe('ECONNREFUSED');
	});

	it('a rejection reason wrapped by a promise helper', () => {
		expect(networkReason({ reason: withCode('read ETIMEDOUT', 'ETIMEDOUT') })).toBe('timed out');
	});

	it('a timeout anywhere in the chain wins over the reset it caused', () => {
		expect(networkReason(withCode('socket hang up', 'ECONNRESET', { cause: withCode('Headers Timeout Error', 'UND_ERR_HEADERS_TIMEOUT') }))).toBe('timed out');
	});

	it('survives a cycle', () => {
		const error = new Error('loop') as Error & { cause?: unknown };
		error.cause = error;
		expect(networkReason(error)).toBeUndefined();
	});

	it('is not fooled by wording: the same message without a code is not a network failure', () => {
		expect(networkReason(new Error('socket hang up'))).toBeUndefined();
		expect(networkReason(new Error('The connection to the server was closed unexpectedly, perhaps it is offline.'))).toBeUndefined();
	});

	it('an HTTP status or a cancelled execution is not a network failure', () => {
		expect(networkReason({ message: 'The resource you are requesting could not be found', httpCode: '404', cause: { status: 404 } })).toBeUndefined();
		expect(networkReason(withCode('canceled', 'ERR_CANCELED'))).toBeUndefined();
		expect(networkReason(undefined)).toBeUndefined();
		expect(networkReason('ECONNRESET')).toBeUndefined();
	});
});
