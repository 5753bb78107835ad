import type { N8nRestClient } from '../../scripts/n8n';

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

/**
 * How many executions of a workflow n8n lists once at least `atLeast` are listed and none is still running. A workflow's
 * last node can reach the outside (a recorder) before n8n has ended and listed its execution.
 */
export async function settledExecutionCount(api: N8nRestClient, workflowId: string, atLeast: number): Promise<number> {
	return await probeUntil(`${atLeast} ended executions of ${workflowId}`, async () => {
		const listed = await api.executions(workflowId);
		const running = listed.some((execution) => ['new', 'running', 'waiting'].includes(execution.status));
		return listed.length < atLeast || running ? undefined : listed.length;
	});
}
