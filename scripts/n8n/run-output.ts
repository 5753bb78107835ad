/**
 * Parsing what `n8n execute --id=<id> --rawOutput` prints: log lines ("n8n Task Broker ready…", "Registered runner…",
 * migrations, warnings) around a pretty-printed run JSON ({ data: { resultData: { runData } }, status, … }).
 * On a failed execution n8n logs the same JSON (logger.info) and exits 1; we parse it all the same.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface N8nItem {
	json: Record<string, any>;
	pairedItem?: { item: number; input?: number } | Array<{ item: number; input?: number }> | number;
	binary?: Record<string, unknown>;
	error?: unknown;
}

export interface N8nTaskData {
	startTime: number;
	executionTime: number;
	executionStatus?: string;
	source: Array<{ previousNode: string; previousNodeOutput?: number; previousNodeRun?: number } | null>;
	data?: { main: Array<N8nItem[] | null> };
	error?: { message: string; description?: string; name?: string; [key: string]: unknown };
	hints?: unknown[];
}

export interface N8nRun {
	data: {
		resultData: {
			runData: Record<string, N8nTaskData[]>;
			lastNodeExecuted?: string;
			error?: { message: string; description?: string; node?: { name: string }; [key: string]: unknown };
		};
		[key: string]: unknown;
	};
	mode: string;
	status: string;
	finished?: boolean;
	startedAt: string;
	stoppedAt?: string;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

function isRun(value: unknown): value is N8nRun {
	const v = value as N8nRun | undefined;
	return typeof v === 'object' && v !== null && typeof v.data?.resultData?.runData === 'object';
}

/**
 * Finds the run JSON in the output. Pretty-printed JSON opens with a line `{` and closes with the next line `}`
 * (nested braces are indented); if that fails (other formatting), falls back to brace matching from each `{`.
 * Returns the last run found, or undefined.
 */
export function parseRunOutput(output: string): N8nRun | undefined {
	const lines = output.split('\n');
	let found: N8nRun | undefined;
	for (let i = 0; i < lines.length; i++) {
		if (lines[i].trimEnd() !== '{') continue;
		for (let j = i + 1; j < lines.length; j++) {
			if (lines[j].trimEnd() !== '}') continue;
			try {
				const parsed: unknown = JSON.parse(lines.slice(i, j + 1).join('\n'));
				if (isRun(parsed)) {
					found = parsed;
					i = j;
				}
			} catch {
				/* not JSON */
			}
			break;
		}
	}
	if (found) return found;
	// Fallback: compact JSON on one line, possibly after a log prefix.
	for (const line of lines.reverse()) {
		const start = line.indexOf('{"data"');
		if (start === -1) continue;
		try {
			const parsed: unknown = JSON.parse(line.slice(start));
			if (isRun(parsed)) return parsed;
		} catch {
			/* not JSON */
		}
	}
	return undefined;
}

export interface NodeOutputOptions {
	/** Which run of the node (default 0). */
	runIndex?: number;
	/** Which output (default 0, the main output). */
	output?: number;
}

/** The items a node emitted on an output; throws (listing the nodes that ran) when the node didn't run. */
export function nodeItems(run: N8nRun, nodeName: string, options: NodeOutputOptions = {}): N8nItem[] {
	const task = nodeTask(run, nodeName, options.runIndex);
	return task.data?.main?.[options.output ?? 0] ?? [];
}

/** The JSON of each item a node emitted. */
export function nodeJson(run: N8nRun, nodeName: string, options: NodeOutputOptions = {}): Array<Record<string, unknown>> {
	return nodeItems(run, nodeName, options).map((item) => item.json);
}

export function nodeTask(run: N8nRun, nodeName: string, runIndex = 0): N8nTaskData {
	const tasks = run.data.resultData.runData[nodeName];
	if (!tasks?.[runIndex]) {
		throw new Error(
			`node "${nodeName}" has no run ${runIndex}; nodes that ran: ${Object.keys(run.data.resultData.runData).join(', ')}` +
				(run.data.resultData.error ? `; workflow error: ${run.data.resultData.error.message}` : ''),
		);
	}
	return tasks[runIndex];
}

/** The item index(es) an output item says it came from. */
export function pairedIndexes(item: N8nItem): number[] {
	const p = item.pairedItem;
	if (p === undefined) return [];
	if (typeof p === 'number') return [p];
	if (Array.isArray(p)) return p.map((x) => x.item);
	return [p.item];
}

/** One line per node: name, status, item count, time; for logs and failed assertions. */
export function summarizeRun(run: N8nRun): string {
	const lines = [`status=${run.status}`];
	for (const [name, tasks] of Object.entries(run.data.resultData.runData)) {
		for (const task of tasks) {
			const counts = (task.data?.main ?? []).map((out) => out?.length ?? 0).join('/');
			lines.push(
				`  ${name}: ${task.executionStatus ?? '?'} items=${counts} ${task.executionTime}ms${task.error ? ` error=${task.error.message}` : ''}`,
			);
		}
	}
	if (run.data.resultData.error) lines.push(`  workflow error: ${run.data.resultData.error.message}`);
	return lines.join('\n');
}
