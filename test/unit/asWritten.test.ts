import {
	balanceText,
	changeText,
	customerBalancesAsWritten,
	decimalText,
	transactionAsWritten,
	withTransactionAsWritten,
} from '../../nodes/StripeCustomerBalance/asWritten';

describe('money as written, beside Stripe\'s signed smallest units', () => {
	it('writes every decimal of the currency and no sign', () => {
		expect(decimalText(-400, 'eur')).toBe('4.00');
		expect(decimalText(5, 'usd')).toBe('0.05');
		expect(decimalText(1200, 'jpy')).toBe('1200');
		expect(decimalText(-1230, 'kwd')).toBe('1.230');
	});

	it('names a change by what it does for the customer: negative is a credit', () => {
		expect(changeText(-400, 'eur')).toBe('4.00 EUR credit');
		expect(changeText(1250, 'usd')).toBe('12.50 USD debit');
	});

	it('names a balance by who holds what: negative is credit, positive is owed', () => {
		expect(balanceText(-1250, 'eur')).toBe('12.50 EUR credit');
		expect(balanceText(300, 'eur')).toBe('3.00 EUR owed');
		expect(balanceText(0, 'jpy')).toBe('0 JPY');
	});

	it('gives a transaction its asWritten and keeps Stripe\'s fields as sent', () => {
		const transaction = { id: 'cbtxn_1', amount: -400, currency: 'eur', ending_balance: -1250 };
		expect(transactionAsWritten(transaction)).toEqual({
			amount: 4,
			currency: 'EUR',
			direction: 'credit',
			summary: '4.00 EUR credit',
			balanceAfter: '12.50 EUR credit',
		});
		expect(withTransactionAsWritten(transaction)).toMatchObject({ amount: -400, currency: 'eur', ending_balance: -1250 });
		expect(transactionAsWritten({ id: 'x' })).toBeUndefined();
	});

	it('reads invoice_credit_balance with its own sign: positive is credit', () => {
		expect(customerBalancesAsWritten({ balance: -500, currency: 'eur', invoice_credit_balance: { eur: 500, usd: 0 } })).toEqual({
			balance: '5.00 EUR credit',
			creditBalances: { EUR: '5.00 EUR credit', USD: '0.00 USD' },
		});
		expect(customerBalancesAsWritten({ balance: 0, currency: null })).toEqual({ balance: null, creditBalances: {} });
	});
});
