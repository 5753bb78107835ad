import { InvalidInput, TEXT_BOUNDS, boundedText, integerAmount } from './validation';

// Stripe's currency exponents (docs.stripe.com/currencies). Every other currency has two decimals.
const ZERO_DECIMAL = new Set('bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf'.split(' '));
const THREE_DECIMAL = new Set('bhd jod kwd omr tnd'.split(' '));

export type AmountFormat = 'smallestUnit' | 'decimal';
export type Direction = 'signed' | 'credit' | 'debit';

export function decimalsOf(currency: string): number {
	if (ZERO_DECIMAL.has(currency)) return 0;
	if (THREE_DECIMAL.has(currency)) return 3;
	return 2;
}

/** "12.50" EUR -> 1250, "1200" JPY -> 1200, "1.230" KWD -> 1230. Exact decimal arithmetic on the text, never floats. */
export function decimalToSmallestUnit(field: string, value: unknown, currency: string): number {
	const textValue = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? boundedText(field, value, TEXT_BOUNDS.amount).trim() : '';
	const match = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(textValue) ?? /^([+-]?)()\.(\d+)$/.exec(textValue);
	if (!match) {
		throw new InvalidInput(field, `${JSON.stringify(value)} is not a decimal amount`, 'Write it like 12.50 (a dot for decimals, no thousands separators or currency signs).');
	}
	const [, sign, whole, fraction = ''] = match;
	const decimals = decimalsOf(currency);
	const significant = withoutTrailingZeros(fraction);
	const upper = currency.toUpperCase();
	if (significant.length > decimals) {
		throw new InvalidInput(
			field,
			`${textValue} ${upper} has more decimals than ${upper} allows (${decimals})`,
			decimals === 0 ? `${upper} has no minor unit: give a whole number.` : undefined,
		);
	}
	const minor = `${whole || '0'}${fraction.padEnd(decimals, '0').slice(0, decimals)}`;
	const amount = integerAmount(field, `${sign}${minor}`);
	if (decimals === 3 && amount % 10 !== 0) {
		throw new InvalidInput(field, `${textValue} ${upper}: Stripe needs ${upper} amounts in steps of 0.010 (the last digit must be 0)`);
	}
	return amount;
}

/** "500" -> "5"; a loop, as /0+$/ takes time in the square of the length of a run of zeros that does not end the text. */
function withoutTrailingZeros(digits: string): string {
	let end = digits.length;
	while (end > 0 && digits[end - 1] === '0') end--;
	return digits.slice(0, end);
}

/** With a direction, the user types a positive number and says whether it credits or debits the customer. */
export function applyDirection(field: string, amount: number, direction: Direction): number {
	if (direction === 'signed') return amount;
	if (amount <= 0) {
		throw new InvalidInput(field, `must be a positive number when Direction is "${direction}", got ${amount}`, 'Enter the size of the credit or debit; Direction sets its sign.');
	}
	return direction === 'credit' ? -amount : amount;
}

export function amountToSend(field: string, value: unknown, currency: string, format: AmountFormat, direction: Direction): number {
	const amount = format === 'decimal' ? decimalToSmallestUnit(field, value, currency) : integerAmount(field, value);
	return applyDirection(field, amount, direction);
}

/** "5" for 500 cents of USD, "5.50" for 550, "1200" for 1200 JPY: a smallest-unit amount as people write it. */
function writtenFromSmallestUnit(minor: number, currency: string): string {
	const decimals = decimalsOf(currency);
	if (decimals === 0) return String(minor);
	const digits = String(minor).padStart(decimals + 1, '0');
	const fraction = digits.slice(-decimals);
	return /^0+$/.test(fraction) ? digits.slice(0, -decimals) : `${digits.slice(0, -decimals)}.${fraction}`;
}

/**
 * A negative amount with Credit or Debit most often comes from data in Stripe's own terms (cents, negative for a
 * credit): the hint gives the amount that means, and the settings that take such data as it is.
 */
function negativeAmountHint(value: unknown, currency: string, format: AmountFormat, direction: Direction): string {
	const written = String(value).trim();
	const size = written.replace(/^-/, '');
	const upper = currency.toUpperCase();
	const meant =
		format === 'decimal' && /^\d+$/.test(size)
			? `If ${written} is in Stripe's terms (the smallest unit, negative for a credit), that is ${writtenFromSmallestUnit(Number(size), currency)} ${upper}: enter ${writtenFromSmallestUnit(Number(size), currency)}.`
			: `Enter ${size} for a ${direction} of that size.`;
	return `${meant} For data that already carries Stripe's sign and unit, choose Direction: Signed Amount and Options > Amount Format: Smallest Unit.`;
}

/**
 * Version 2's Create: Amount is as written by default, and with Credit or Debit it is the size of the change, which
 * Direction signs. Zero is refused whatever the direction: it moves no money, and it is what an Amount left empty holds.
 */
export function directedAmount(
	field: string,
	value: unknown,
	currency: string,
	format: AmountFormat,
	direction: Direction,
	directionName: string,
): number {
	const amount = format === 'smallestUnit' ? integerAmount(field, value) : decimalToSmallestUnit(field, value, currency);
	if (amount === 0) {
		throw new InvalidInput(field, 'is 0, which would not change the balance', 'Enter how much to credit or debit.');
	}
	if (direction !== 'signed' && amount < 0) {
		throw new InvalidInput(
			field,
			`is negative (${String(value).trim()}) while Direction is "${directionName}": enter the size of the ${direction}; Direction gives it its sign`,
			negativeAmountHint(value, currency, format, direction),
		);
	}
	return applyDirection(field, amount, direction);
}
