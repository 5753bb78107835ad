/**
 * Diagnostics: CPU of one-item executions in n8n-core's engine in this process (the sandbox out of process, answering
 * at once, no limits): the bench's floor node against the node at version 1 and 2, blocks interleaved.
 *   tsx scripts/bench/oneItemCpu.ts [executions per block] [blocks]
 */
import { runWorkflow, itemsThenStripe } from '../../test/engine';
import { RemoteSandbox } from '../../test/sandbox/remote';
import { NO_RATE_LIMITS } from '../../test/sandbox';
import { FLOOR_NODE_TYPE } from './floorNode';

type Variant = 'floor' | 'v1' | 'v2';

async function main(): Promise<void> {
	const perBlock = Number(process.argv[2] ?? 200);
	const blocks = Number(process.argv[3] ?? 6);
	const sandbox = await RemoteSandbox.start();
	try {
		await sandbox.setFaults({ latencyMs: 0, ...NO_RATE_LIMITS });
		const [customer] = await sandbox.createCustomers(1);
		const credentials = { stripeCustomerBalanceApi: { secretKey: sandbox.secretKey, baseUrl: sandbox.url } };
		const item = { customer, amount: -500, currency: 'usd', note: 'Referral credit' };
		const create = { resource: 'customerBalanceTransaction', operation: 'create', customer: { __rl: true, mode: 'id', value: '={{ $json.customer }}' }, amount: '={{ $json.amount }}', currency: '={{ $json.currency }}', additionalFields: { description: '={{ $json.note }}' }, options: { maxRequestsPerSecond: 1000, endpointRequestsPerSecond: 1000 } };
		const nodesOf = (variant: Variant) => {
			if (variant === 'floor') {
				const nodes = itemsThenStripe([item], {});
				nodes[1].type = FLOOR_NODE_TYPE;
				nodes[1].parameters = { customer: '={{ $json.customer }}', amount: '={{ $json.amount }}', currency: '={{ $json.currency }}', ref: '={{ $json.note }}', paceRps: 0 };
				return nodes;
			}
			if (variant === 'v1') return itemsThenStripe([item], create);
			return itemsThenStripe([{ ...item, amount: '5.00' }], { ...create, direction: 'credit' }, { typeVersion: 2 });
		};
		const cpu: Record<Variant, number> = { floor: 0, v1: 0, v2: 0 };
		const variants = (process.env.ONLY?.split(',') ?? ['floor', 'v1', 'v2']) as Variant[];
		for (const variant of variants) for (let i = 0; i < 50; i++) await runWorkflow({ nodes: nodesOf(variant), credentials });
		for (let block = 0; block < blocks; block++) {
			for (const variant of block % 2 ? [...variants].reverse() : variants) {
				const nodes = nodesOf(variant);
				const before = process.cpuUsage();
				for (let i = 0; i < perBlock; i++) {
					const result = await runWorkflow({ nodes, credentials });
					if (result.status !== 'success') throw new Error(`${variant}: ${result.status} ${result.error?.message}`);
				}
				const used = process.cpuUsage(before);
				cpu[variant] += (used.user + used.system) / 1000;
			}
		}
		const per = (variant: Variant) => cpu[variant] / (perBlock * blocks);
		process.stdout.write(`CPU ms per one-item execution: floor ${per('floor').toFixed(3)}, v1 ${per('v1').toFixed(3)} (+${(per('v1') - per('floor')).toFixed(3)}), v2 ${per('v2').toFixed(3)} (+${(per('v2') - per('floor')).toFixed(3)})\n`);
	} finally {
		await sandbox.close();
	}
}

void main();
