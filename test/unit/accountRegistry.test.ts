/**
 * The state every execution of one n8n process shares: a pacer per Stripe account, a lock per customer. It must stay
 * small (idle entries go) and must not hold the secret key.
 */
import { AccountRegistry, accountId, platformAccountId } from '../../nodes/StripeCustomerBalance/transport/accountRegistry';
import { KeyedLocks } from '../../nodes/StripeCustomerBalance/transport/keyedLocks';

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
		const registry = new AccountRegistry();
		const id = platformAccountId(KEY, 'https://api.stripe.com');
		expect(registry.pacer(id, LIMITS)).toBe(registry.pacer(id, LIMITS));
		expect(registry.pacer(accountId(id, 'acct_1'), LIMITS)).not.toBe(registry.pacer(id, LIMITS));
	});

	it('idle pacers are dropped, pacers an execution still holds are kept', () => {
		const registry = new AccountRegistry();
		const start = Date.now();
		for (let n = 0; n < 100; n++) registry.pacer(`account-${n}`, LIMITS, start);
		const held = registry.pacer('held', LIMITS, start);
		const execution = {};
		held.join(execution, { global: 10 });
		expect(registry.size.pacers).toBe(101);

		registry.pacer('account-0', LIMITS, start + 61_000);
		expect(registry.size.pacers).toBe(2);
		held.leave(execution);
	});
});

describe('customer locks', () => {
	it('let writes through one at a time, in the order they asked, and forget a customer when free', async () => {
		const locks = new KeyedLocks();
		const order: string[] = [];
		let inside = 0;
		const write = async (name: string) =>
			await locks.run('acct/cus_1', async () => {
				inside += 1;
				expect(inside).toBe(1);
				await new Promise((resolve) => setTimeout(resolve, 5));
				order.push(name);
				inside -= 1;
			});
		await Promise.all(['a', 'b', 'c', 'd'].map(write));
		expect(order).toEqual(['a', 'b', 'c', 'd']);
		expect(locks.size).toBe(0);
	});

	it('are released when the write fails', async () => {
		const locks = new KeyedLocks();
		await expect(locks.run('acct/cus_1', async () => await Promise.reject(new Error('500')))).rejects.toThrow('500');
		await expect(locks.run('acct/cus_1', async () => await Promise.resolve('next'))).resolves.toBe('next');
		expect(locks.size).toBe(0);
	});
});
