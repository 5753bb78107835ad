/**
 * Form encoding as Stripe's own SDK does it: nested keys in brackets (`metadata[plan]=pro`), arrays indexed
 * (`expand[0]=customer`), undefined dropped, null sent as an empty value, RFC 3986 percent-encoding, brackets left readable.
 */
export type FormValue = string | number | boolean | null | undefined | Date | FormValue[] | { [key: string]: FormValue };

function escape(text: string): string {
	return encodeURIComponent(text)
		.replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`)
		.replace(/%5B/g, '[')
		.replace(/%5D/g, ']');
}

function scalar(value: Exclude<FormValue, FormValue[] | { [key: string]: FormValue }>): string {
	if (value === null) return '';
	if (value instanceof Date) return String(Math.floor(value.getTime() / 1000));
	return String(value);
}

function appendPairs(pairs: string[], key: string, value: FormValue): void {
	if (value === undefined) return;
	if (Array.isArray(value)) {
		value.forEach((entry, index) => appendPairs(pairs, `${key}[${index}]`, entry));
	} else if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
		for (const [child, entry] of Object.entries(value)) appendPairs(pairs, `${key}[${child}]`, entry);
	} else {
		pairs.push(`${escape(key)}=${escape(scalar(value))}`);
	}
}

export function encodeForm(params: Record<string, FormValue>): string {
	const pairs: string[] = [];
	for (const [key, value] of Object.entries(params)) appendPairs(pairs, key, value);
	return pairs.join('&');
}
