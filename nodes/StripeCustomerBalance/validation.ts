/**
 * Checks of user input, run for every item before anything is sent. Each check names the field it refuses;
 * the router adds the item index. Values may come from expressions, so they are `unknown` here.
 */
export class InvalidInput extends Error {
	constructor(
		readonly field: string,
		message: string,
		readonly hint?: string,
	) {
		super(message);
		this.name = 'InvalidInput';
	}
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export const LIMITS = {
	descriptionLength: 350,
	metadataKeys: 50,
	metadataKeyLength: 40,
	metadataValueLength: 500,
	idempotencyKeyLength: 255,
	/** Stripe's maxLength for a customer's email and for the list filter `email`. */
	emailLength: 512,
	/** Stripe's object ids are at most 255 characters. */
	idLength: 255,
	/** Find's Search Query. */
	searchQueryLength: 5000,
} as const;

/**
 * The longest text each field takes, checked before anything else reads it (a regex, a trim, a conversion), so that a
 * long text from data costs one comparison: Stripe's limit where Stripe has one (LIMITS), else far above any valid
 * value. docs/FIELDS.md lists them.
 */
export const TEXT_BOUNDS = {
	amount: 40,
	currency: 10,
	apiVersion: 64,
	dashboardUrl: 2048,
	date: 100,
	expand: 200,
	/** A dropdown's value given by an expression. */
	choice: 100,
	/** A whole number given as text (Limit, Max Retries, Timeout...). */
	number: 32,
} as const;

export const EXPANDABLE_TRANSACTION_FIELDS = ['checkout_session', 'credit_note', 'customer', 'invoice'] as const;

/** Characters a user sees (code points), which is how Stripe counts string lengths; linear, nothing allocated. */
function lengthOf(text: string): number {
	let surrogatePairs = 0;
	for (let index = 0; index < text.length - 1; index++) {
		const code = text.charCodeAt(index);
		if (code >= 0xd800 && code <= 0xdbff) {
			const next = text.charCodeAt(index + 1);
			if (next >= 0xdc00 && next <= 0xdfff) {
				surrogatePairs += 1;
				index += 1;
			}
		}
	}
	return text.length - surrogatePairs;
}

/**
 * Refuses text longer than `max` characters before anything parses it; other values pass unchanged to the field's own
 * check. `stripe`: the bound is Stripe's own limit (the message says so). `what`: the part of the field, e.g. a key.
 */
export function boundedText<T>(field: string, value: T, max: number, { stripe = false, what = '' }: { stripe?: boolean; what?: string } = {}): T {
	if (typeof value !== 'string' || value.length <= max) return value;
	const length = lengthOf(value);
	if (length <= max) return value;
	throw new InvalidInput(field, `${what}is ${length} characters long; ${stripe ? 'Stripe allows' : 'it takes'} at most ${max}`);
}

function show(value: unknown): string {
	if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
	if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
	return Array.isArray(value) ? 'a list' : 'an object';
}

function text(field: string, value: unknown): string {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	throw new InvalidInput(field, `expected text, got ${show(value)}`);
}

/** An integer amount in the currency's smallest unit; numbers and numeric strings ("1250", "-500") both count. */
export function integerAmount(field: string, value: unknown): number {
	boundedText(field, value, TEXT_BOUNDS.amount);
	let amount: number;
	if (typeof value === 'number') {
		amount = value;
	} else if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) {
		amount = Number(value.trim());
	} else {
		throw new InvalidInput(
			field,
			`${show(value)} is not a whole number of the currency's smallest unit`,
			'Give cents (or the local equivalent): 1250 for 12.50 EUR. To type amounts like "12.50", set Options > Amount Format to Decimal.',
		);
	}
	if (!Number.isFinite(amount) || !Number.isInteger(amount)) {
		throw new InvalidInput(
			field,
			`${show(value)} is not a whole number of the currency's smallest unit`,
			'Give cents (or the local equivalent): 1250 for 12.50 EUR. To type amounts like "12.50", set Options > Amount Format to Decimal.',
		);
	}
	if (Math.abs(amount) > MAX_SAFE) {
		throw new InvalidInput(field, `${show(value)} is too large to be sent exactly (the limit is ${MAX_SAFE})`);
	}
	return amount;
}

/** A three-letter ISO currency code; upper case is accepted and sent in lower case as Stripe wants. */
export function currencyCode(field: string, value: unknown): string {
	const code = typeof value === 'string' ? boundedText(field, value, TEXT_BOUNDS.currency).trim() : '';
	if (!/^[A-Za-z]{3}$/.test(code)) {
		throw new InvalidInput(field, `${show(value)} is not a three-letter currency code`, 'For example EUR, usd or JPY.');
	}
	return code.toLowerCase();
}

function stripeId(field: string, value: unknown, prefix: string, noun: string, example: string): string {
	const id = typeof value === 'string' ? boundedText(field, value, LIMITS.idLength, { stripe: true }).trim() : '';
	// Letters and digits only: an id is put into the request path, so "/", "?", "#", "%" or ".." must never get through.
	if (!new RegExp(`^${prefix}_[A-Za-z0-9]+$`).test(id)) {
		throw new InvalidInput(field, `${show(value)} is not a Stripe ${noun} ID`, `It looks like ${example}.`);
	}
	return id;
}

export const customerId = (value: unknown) =>
	stripeId('Customer', value, 'cus', 'customer', 'cus_NffrFeUfNV2Hib');
export const transactionId = (value: unknown) =>
	stripeId('Transaction ID', value, 'cbtxn', 'customer balance transaction', 'cbtxn_1MrL3sLkdIwHu7ix0yRpTNXk');
export const connectedAccountId = (value: unknown) =>
	stripeId('Stripe Account', value, 'acct', 'account', 'acct_1032D82eZvKYlo2C');
export const invoiceId = (value: unknown) =>
	stripeId('Invoice ID', value, 'in', 'invoice', 'in_1MtHbELkdIwHu7ixl4OzzPMv');

export function transactionDescription(field: string, value: unknown): string {
	return boundedText(field, text(field, value), LIMITS.descriptionLength, { stripe: true });
}

export interface MetadataPair {
	key?: unknown;
	value?: unknown;
}

/** Metadata pairs as Stripe accepts them. An empty value is kept: Stripe reads it as "unset this key". */
export function metadata(field: string, pairs: MetadataPair[]): Record<string, string> {
	if (pairs.length > LIMITS.metadataKeys) {
		throw new InvalidInput(field, `has ${pairs.length} keys; Stripe allows at most ${LIMITS.metadataKeys}`);
	}
	const result: Record<string, string> = {};
	for (const pair of pairs) {
		const key = typeof pair.key === 'string' ? pair.key : pair.key === undefined ? '' : text(`${field} key`, pair.key);
		if (key === '') throw new InvalidInput(field, 'has a pair with an empty key');
		boundedText(field, key, LIMITS.metadataKeyLength, { stripe: true, what: `key ${show(key)} ` });
		if (/[[\]]/.test(key)) throw new InvalidInput(field, `key ${show(key)} contains "[" or "]", which Stripe does not allow`);
		if (Object.prototype.hasOwnProperty.call(result, key)) throw new InvalidInput(field, `key ${show(key)} is given twice`);
		const value = pair.value === undefined || pair.value === null ? '' : text(`${field} value for ${show(key)}`, pair.value);
		boundedText(field, value, LIMITS.metadataValueLength, { stripe: true, what: `value for key ${show(key)} ` });
		// A plain assignment of `__proto__` would set the object's prototype and the key would vanish from the request.
		Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
	}
	return result;
}

export function expandList(field: string, value: unknown): string[] {
	if (value === undefined || value === null || value === '') return [];
	const list = Array.isArray(value) ? value : String(boundedText(field, value, TEXT_BOUNDS.expand)).split(',').map((entry) => entry.trim());
	for (const entry of list) {
		if (!(EXPANDABLE_TRANSACTION_FIELDS as readonly unknown[]).includes(entry)) {
			throw new InvalidInput(field, `${show(entry)} cannot be expanded`, `Choose from ${EXPANDABLE_TRANSACTION_FIELDS.join(', ')}.`);
		}
	}
	return [...new Set(list as string[])];
}

export function idempotencyKey(value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const key = boundedText('Idempotency Key', text('Idempotency Key', value), LIMITS.idempotencyKeyLength, { stripe: true });
	// It travels as an HTTP header: printable ASCII only.
	if (!/^[\x20-\x7e]+$/.test(key)) {
		throw new InvalidInput('Idempotency Key', 'may only contain printable ASCII characters (letters, digits, punctuation, spaces)');
	}
	return key;
}

export function apiVersion(value: unknown, fallback: string): string {
	if (value === undefined || value === null || value === '') return fallback;
	const version = typeof value === 'string' ? boundedText('API Version', value, TEXT_BOUNDS.apiVersion).trim() : '';
	if (!/^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/.test(version)) {
		throw new InvalidInput('API Version', `${show(value)} is not a Stripe API version`, `It looks like ${fallback}.`);
	}
	return version;
}

export function positiveInteger(field: string, value: unknown, min: number, max: number): number {
	boundedText(field, value, TEXT_BOUNDS.number);
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
		throw new InvalidInput(field, `${show(value)} must be a whole number from ${min} to ${max}`);
	}
	return number;
}

/** A date from the UI (ISO text), an expression (Date, Luxon DateTime, ISO text) or a Unix timestamp in seconds. */
export function unixSeconds(field: string, value: unknown): number {
	if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
	boundedText(field, value, TEXT_BOUNDS.date);
	const candidate =
		value instanceof Date
			? value
			: typeof value === 'object' && value !== null && typeof (value as { toISO?: unknown }).toISO === 'function'
				? new Date(String((value as { toISO: () => string }).toISO()))
				: typeof value === 'string' && /^\d+$/.test(value.trim())
					? new Date(Number(value.trim()) * 1000)
					: typeof value === 'string'
						? new Date(value)
						: new Date(Number.NaN);
	if (Number.isNaN(candidate.getTime())) {
		throw new InvalidInput(field, `${show(value)} is not a date`, 'Use an ISO date such as 2026-11-01T00:00:00Z.');
	}
	return Math.floor(candidate.getTime() / 1000);
}

/** An email to find a customer by: one `@` between a non-empty local part and domain, no spaces, at most 512 characters. */
export function customerEmail(field: string, value: unknown): string {
	if (typeof value !== 'string') {
		throw new InvalidInput(field, `${show(value)} is not an email address`, 'By Email takes text such as jane@acme.com; check the expression.');
	}
	const email = boundedText(field, value, LIMITS.emailLength, { stripe: true, what: 'the email ' }).trim();
	if (email === '') throw new InvalidInput(field, 'the email is empty');
	const hasControlCharacter = [...email].some((character) => character.charCodeAt(0) < 0x20 || character.charCodeAt(0) === 0x7f);
	if (!/^[^\s@"\\]+@[^\s@"\\]+$/.test(email) || hasControlCharacter) {
		throw new InvalidInput(field, `${show(email)} is not an email address`, 'It looks like jane@acme.com.');
	}
	return email;
}
