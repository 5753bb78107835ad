/** One header of a request or reply as a string (n8n hands repeated headers over as an array), or undefined. */
export function headerValue(headers: unknown, name: string): string | undefined {
	if (typeof headers !== 'object' || headers === null) return undefined;
	const value = (headers as Record<string, unknown>)[name];
	if (Array.isArray(value)) return value.map(String).join(', ');
	return typeof value === 'string' ? value : undefined;
}
