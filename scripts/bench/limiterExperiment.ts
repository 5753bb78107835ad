/**
 * Diagnostics for (a): what the node's rate limiter costs at a ceiling equal to the server's limit, and what two
 * changes to transport/rateLimiter.ts would gain. Patches the BUILT RateLimiter in this process only (n8n-core loads
 * the package with the shared `require`), never the source.
 *   tsx scripts/bench/limiterExperiment.ts [items=1000] [variants=current,once-per-window,window-log]
 */
import * as path from 'node:path';

import { makeItems, runNode } from './runners';
import { RemoteSandbox } from './sandboxClient';

interface Limiter {
	rate: number;
	ceiling: number;
	nextSlot: number;
	acquire(): Promise<void>;
	onRateLimited(): void;
	onSuccess(): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RateLimiter } = require(path.resolve(__dirname, '../../dist/nodes/StripeCustomerBalance/transport/rateLimiter.js')) as {
	RateLimiter: { prototype: Limiter };
};
const original = { acquire: RateLimiter.prototype.acquire, onRateLimited: RateLimiter.prototype.onRateLimited };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function install(variant: string): void {
	RateLimiter.prototype.acquire = original.acquire;
	RateLimiter.prototype.onRateLimited = original.onRateLimited;
	if (variant === 'current') return;
	// Cut the rate once per burst of 429s (they all answer requests sent before the cut), not once per 429.
	RateLimiter.prototype.onRateLimited = function (this: Limiter & { lastCut?: number }) {
		const now = Date.now();
		if (this.lastCut !== undefined && now - this.lastCut < 1000) return;
		this.lastCut = now;
		this.rate = Math.max(1, this.rate * 0.7);
	};
	if (variant !== 'window-log') return;
	// Also never send more than `rate` requests in any trailing second (what a sliding-window server counts),
	// so that an event-loop stall cannot release a burst of overdue slots.
	RateLimiter.prototype.acquire = async function (this: Limiter & { sent?: number[] }) {
		const sent = (this.sent ??= []);
		for (;;) {
			const now = Date.now();
			while (sent.length > 0 && sent[0] <= now - 1000) sent.shift();
			const evenSlot = Math.max(now, this.nextSlot);
			const windowSlot = sent.length >= Math.floor(this.rate) ? sent[sent.length - Math.floor(this.rate)] + 1000 + 5 : now;
			const slot = Math.max(evenSlot, windowSlot);
			if (slot <= now) {
				this.nextSlot = now + 1000 / this.rate;
				sent.push(now);
				return;
			}
			await sleep(slot - now);
		}
	};
}

async function main(): Promise<void> {
	const count = Number(process.argv[2] ?? 1000);
	const variants = (process.argv[3] ?? 'current,once-per-window,window-log').split(',');
	const sandbox = await RemoteSandbox.start();
	try {
		await runNode(sandbox, makeItems(await sandbox.createCustomers(50), 50, 'warm'), { maxRequestsPerSecond: 1000 });
		for (const variant of variants) {
			install(variant);
			await sandbox.reset();
			await sandbox.setFaults({ latencyMs: 100, rateLimitPerSecond: 100 });
			const items = makeItems(await sandbox.createCustomers(count), count, variant);
			const run = await runNode(sandbox, items, { maxRequestsPerSecond: 100 });
			const timeline = await sandbox.timeline();
			const first = timeline[0][0] - run.startedAt;
			const last = timeline[timeline.length - 1][0] - run.startedAt;
			const rateLimited = timeline.filter((entry) => entry[1] === 429).length;
			process.stdout.write(
				`${variant.padEnd(16)} wall ${(run.wallMs / 1000).toFixed(2)} s, first request +${(first / 1000).toFixed(2)} s, ` +
					`sending ${((last - first) / 1000).toFixed(2)} s for ${timeline.length} requests (${(((timeline.length - 1) * 1000) / (last - first)).toFixed(1)}/s), ` +
					`${rateLimited} x 429, failed ${run.failed}\n`,
			);
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
