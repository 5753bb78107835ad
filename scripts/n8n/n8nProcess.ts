/**
 * A long-running n8n process of an instance (`n8n start`, `n8n worker`, `n8n webhook`): spawned with the instance's
 * environment in its user folder, its output kept (wait for it with proc.ts's waitUntilReady).
 */
import type { ChildProcess } from 'node:child_process';

import { onOutputLines, spawnTracked } from './proc';
import type { N8nRuntime } from './runtime';

/** What an n8n process needs of its instance (N8nInstance is one). */
export interface N8nHost {
	readonly runtime: N8nRuntime;
	readonly userFolder: string;
	env(extra?: Record<string, string>): Promise<NodeJS.ProcessEnv>;
}

export interface SpawnedN8n {
	child: ChildProcess;
	/** Its last lines (secrets masked). */
	logs: string[];
	output(): string;
}

/** Spawns `n8n <args>` of `host`, `env` added to the instance's environment; keeps its last `keepLines` lines. */
export async function spawnN8n(
	host: N8nHost,
	args: string[],
	env: Record<string, string>,
	options: { keepLines: number; onLine?: (line: string) => void },
): Promise<SpawnedN8n> {
	const child = spawnTracked(host.runtime.nodeBin, [host.runtime.n8nBin, ...args], {
		cwd: host.userFolder,
		env: await host.env(env),
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const logs: string[] = [];
	onOutputLines(child, (line) => {
		logs.push(line);
		if (logs.length > options.keepLines) logs.splice(0, logs.length - options.keepLines);
		options.onLine?.(line);
	});
	return { child, logs, output: () => logs.join('\n') };
}

/** Whether `url` answers 200 now (false while nothing listens). */
export async function answersOk(url: string): Promise<boolean> {
	try {
		return (await fetch(url, { signal: AbortSignal.timeout(2000) })).status === 200;
	} catch {
		return false;
	}
}
