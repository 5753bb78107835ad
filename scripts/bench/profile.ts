/**
 * Diagnostics for scenario (d): CPU per item of variants, to say where the node's CPU goes.
 *   tsx scripts/bench/profile.ts [items] [variant,...]
 *   node --cpu-prof --cpu-prof-dir=bench-results/profiles --import tsx scripts/bench/profile.ts 2000 node
 * Variants: node (expressions, as the bench), node-literal (no expressions: one customer, literal values),
 * floor / floor-literal (floorNode.ts: the least an n8n node can do), sdk (keep-alive, its default), sdk-no-keepalive (a new connection per request, as n8n's HTTP helpers do), sdk-paced (spaced at 1000/s like the node), floor-paced[-literal] (the floor spaced at 1000/s).
 * Summarise a profile with `tsx scripts/bench/summarizeProfile.ts <file>.cpuprofile [focus,words]`.
 */
import * as http from 'node:http';

import { makeItems, runNode, runSdk, sdkClient, type ClientRun } from './runners';
import { RemoteSandbox } from '../../test/sandbox/remote';
import { NO_RATE_LIMITS } from '../../test/sandbox';

async function main(): Promise<void> {
	const count = Number(process.argv[2] ?? 2000);
	const variants = (process.argv[3] ?? 'node').split(',');
	const repeats = Number(process.argv[4] ?? 2);
	const sandbox = await RemoteSandbox.start();
	try {
		for (const variant of variants) {
			const stripe =
				variant === 'sdk' || variant === 'sdk-paced' ? sdkClient(sandbox) : variant === 'sdk-no-keepalive' ? sdkClient(sandbox, undefined, { httpAgent: new http.Agent({ keepAlive: false }) }) : undefined;
			const go = async (n: number, tag: string): Promise<ClientRun> => {
				await sandbox.reset();
				await sandbox.setFaults({ latencyMs: 0, ...NO_RATE_LIMITS, lockTimeouts: false });
				const items = makeItems(await sandbox.createCustomers(n), n, tag);
				if (stripe) return await runSdk(sandbox, items, { concurrency: 32, paceRps: variant === 'sdk-paced' ? 1000 : undefined }, stripe);
				return await runNode(sandbox, items, { maxRequestsPerSecond: variant.startsWith('floor') && !variant.includes('paced') ? undefined : 1000, endpointRequestsPerSecond: 1000, literal: variant.endsWith('-literal'), floor: variant.startsWith('floor') });
			};
			await go(300, 'warm');
			const runs: string[] = [];
			for (let repeat = 0; repeat < repeats; repeat++) {
				const run = await go(count, `measured-${repeat}`);
				runs.push(`${(run.cpuUs / count).toFixed(0)} µs CPU/item (${(run.wallMs / 1000).toFixed(2)} s, failed ${run.failed})`);
			}
			process.stdout.write(`${variant.padEnd(18)} ${count} items: ${runs.join('; ')}\n`);
		}
	} finally {
		await sandbox.close();
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
