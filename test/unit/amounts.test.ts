/** Amounts as people type them, converted with each currency's exponent; what a currency cannot hold is refused. */
import { amountToSend, decimalToSmallestUnit } from '../../nodes/StripeCustomerBalance/amounts';
import { InvalidInput, integerAmount } from '../../nodes/StripeCustomerBalance/validation';

describe('smallest-unit amounts (the default)', () => {
	it.each([
		[1250, 1250],
		['1250', 1250],
		['-500', -500],
		[' 42 ', 42],
		[-9007199254740991, -9007199254740991],
	])('accepts %p as %p', (input, expected) => {
		expect(integerAmount('Amount', input)).toBe(expected);
	});

	it.each([['12.50'], [12.5], ['abc'], [''], [Number.NaN], [Infinity], ['9007199254740993'], [9007199254740992], [null], [{}], ['1e3'], ['1,250']])(
		'refuses %p, naming the field',
		(input) => {
			expect(() => integerAmount('Amount', input)).toThrow(InvalidInput);
			try {
				integerAmount('Amount', input);
			} catch (error) {
				expect((error as InvalidInput).field).toBe('Amount');
			}
		},
	);
});

describe('decimal amounts', () => {
	it.each([
		['12.50', 'eur', 1250],
		['12.5', 'usd', 1250],
		[12.5, 'usd', 1250],
		['0.01', 'usd', 1],
		['-3', 'usd', -300],
		['1200', 'jpy', 1200],
		['1200.00', 'jpy', 1200],
		['1.230', 'kwd', 1230],
		['7', 'bhd', 7000],
		['.5', 'eur', 50],
	])('%p %s is %p in the smallest unit', (input, currency, expected) => {
		expect(decimalToSmallestUnit('Amount', input, currency)).toBe(expected);
	});

	it.each([
		['12.345', 'usd', /more decimals than USD allows \(2\)/],
		['12.5', 'jpy', /more decimals than JPY allows \(0\)/],
		['1.234', 'kwd', /steps of 0\.010/],
		['1,50', 'eur', /not a decimal amount/],
		['€12', 'eur', /not a decimal amount/],
		['1e3', 'eur', /not a decimal amount/],
	])('refuses %p %s', (input, currency, message) => {
		expect(() => decimalToSmallestUnit('Amount', input, currency)).toThrow(message);
	});
});

describe('direction', () => {
	it('credit turns a positive amount into a negative one, debit keeps it positive', () => {
		expect(amountToSend('Amount', '10.00', 'eur', 'decimal', 'credit')).toBe(-1000);
		expect(amountToSend('Amount', 1000, 'eur', 'smallestUnit', 'debit')).toBe(1000);
		expect(amountToSend('Amount', -1000, 'eur', 'smallestUnit', 'signed')).toBe(-1000);
	});

	it('refuses a negative or zero size when the direction is chosen', () => {
		expect(() => amountToSend('Amount', -5, 'eur', 'smallestUnit', 'credit')).toThrow(/must be a positive number/);
		expect(() => amountToSend('Amount', 0, 'eur', 'smallestUnit', 'debit')).toThrow(/must be a positive number/);
	});
});

describe('length', () => {
	it('takes trailing zeros up to 40 characters of amount, and refuses a longer text before reading it', () => {
		const forty = `12.${'0'.repeat(37)}`;
		expect(decimalToSmallestUnit('Amount', forty, 'eur')).toBe(1200);
		expect(decimalToSmallestUnit('Amount', `12.5${'0'.repeat(36)}`, 'eur')).toBe(1250);
		expect(() => decimalToSmallestUnit('Amount', `${forty}0`, 'eur')).toThrow(/is 41 characters long; it takes at most 40/);
		expect(() => integerAmount('Amount', ` ${'1'.repeat(40)}`)).toThrow(/is 41 characters long; it takes at most 40/);
	});
});
