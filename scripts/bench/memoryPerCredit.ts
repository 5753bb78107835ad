/**
 * Scenario (m): memory per credit of one execution of 10,000 credits in n8n's engine (in this process; the sandbox in
 * its own, answering at once with no limit). Sampled every 50 ms: the peak of the heap in use and of the process's
 * resident memory above what they were, after a full GC, before the run. Divided by the credits, that is what n8n holds
 * per credit at the run's peak (items in, the node's jobs, the output items), not only the node.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';

import { makeItems, runNode, type ClientRun } from './runners';
import type { RemoteSandbox } from '../../test/sandbox/remote';
import { NO_RATE_LIMITS } from '../../test/sandbox';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

export interface MemoryPerCredit {
	credits: number;
	heapKbPerCredit: number;
	rssKbPerCredit: number;
	run: ClientRun;
}

export async function memoryPerCredit(sandbox: RemoteSandbox, credits = 10_000): Promise<MemoryPerCredit> {
	await sandbox.reset();
	await sandbox.setFaults({ latencyMs: 0, ...NO_RATE_LIMITS, lockTimeouts: false });
	const items = makeItems(await sandbox.createCustomers(credits), credits, 'm-node');
	collectGarbage();
	const before = process.memoryUsage();
	let peakHeap = before.heapUsed;
	let peakRss = before.rss;
	const sampler = setInterval(() => {
		const now = process.memoryUsage();
		peakHeap = Math.max(peakHeap, now.heapUsed);
		peakRss = Math.max(peakRss, now.rss);
	}, 50);
	try {
		const run = await runNode(sandbox, items, { maxRequestsPerSecond: 1000, endpointRequestsPerSecond: 1000 });
		const after = process.memoryUsage();
		peakHeap = Math.max(peakHeap, after.heapUsed);
		peakRss = Math.max(peakRss, after.rss);
		return { credits, heapKbPerCredit: (peakHeap - before.heapUsed) / 1024 / credits, rssKbPerCredit: (peakRss - before.rss) / 1024 / credits, run };
	} finally {
		clearInterval(sampler);
	}
}
