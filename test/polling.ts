/**
 * Waiting for a state of a real n8n (an execution, an endpoint, a worker), never for a time: polls `probe` every 250 ms
 * until it returns a value, at most `timeoutMs`. (The in-engine tests' `until` in support.ts polls a condition.)
 */
export async function probeUntil<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 120_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}
