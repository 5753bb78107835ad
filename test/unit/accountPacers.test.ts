/**
 * The state every execution of one n8n process shares: a pacer per Stripe account. It must stay small (idle entries
 * go) and must not hold the secret key.
 */
import { AccountPacers, accountId, platformAccountId } from '../../nodes/StripeCustomerBalance/transport/accountPacers';

const KEY = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc';
const LIMITS = { global: 25, endpoint: 25 };

describe('accounts', () => {
	it('are known by a digest of key and base URL, never by the key', () => {
		const id = platformAccountId(KEY, 'https://api.stripe.com');
		expect(id).not.toContain(KEY);
		expect(id).not.toContain('4eC39');
		expect(platformAccountId(KEY, 'https://api.stripe.com')).toBe(id);
		expect(platformAccountId(KEY, 'http://127.0.0.1:12111')).not.toBe(id);
		expect(platformAccountId(`${KEY}x`, 'https://api.stripe.com')).not.toBe(id);
		expect(accountId(id, 'acct_1')).not.toBe(accountId(id, 'acct_2'));
	});

	it('share one pacer per account', () => {
		const registry = new AccountPacers();
		const id = platformAccountId(KEY, 'https://api.stripe.com');
		expect(registry.pacer(id, LIMITS)).toBe(registry.pacer(id, LIMITS));
		expect(registry.pacer(accountId(id, 'acct_1'), LIMITS)).not.toBe(registry.pacer(id, LIMITS));
	});

	it('idle pacers are dropped, pacers an execution still holds are kept', () => {
		const registry = new AccountPacers();
		const start = Date.now();
		for (let n = 0; n < 100; n++) registry.pacer(`account-${n}`, LIMITS, start);
		const held = registry.pacer('held', LIMITS, start);
		const execution = {};
		held.join(execution, { global: 10 });
		expect(registry.size).toBe(101);

		registry.pacer('account-0', LIMITS, start + 61_000);
		expect(registry.size).toBe(2);
		held.leave(execution);
	});
});
