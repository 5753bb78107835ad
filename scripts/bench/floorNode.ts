/**
 * Diagnostics for (d): the least any n8n node can do for the same work, to tell n8n's own per-item cost from the
 * node's. Per item it reads the same four parameters (so the same expressions are evaluated), then sends the same
 * POST through `helpers.httpRequestWithAuthentication` with the same credential, 32 at a time. No validation,
 * no lanes, no retries, no rate limiter, no error mapping. Registered as a test-only node type of the harness.
 */
import { randomUUID } from 'node:crypto';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { registerNodeType } from '../../test/engine';

export const FLOOR_NODE_TYPE = 'n8n-nodes-engine-harness.benchFloor';

class BenchFloorNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bench Floor',
		name: 'benchFloor',
		group: ['transform'],
		version: 1,
		description: 'Bench-only: one Stripe create per item through n8n helpers, nothing else',
		defaults: { name: 'Bench Floor' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'stripeCustomerBalanceApi', required: true }],
		properties: [
			...['customer', 'amount', 'currency', 'ref'].map((name) => ({ displayName: name, name, type: 'string' as const, default: '' })),
			{ displayName: 'Pace', name: 'paceRps', type: 'number', default: 0, description: 'Space requests at this rate (0: no pacing)' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const credentials = await this.getCredentials('stripeCustomerBalanceApi');
		const base = String(credentials.baseUrl).replace(/\/$/, '');
		const requests = items.map((_, index) => ({
			customer: this.getNodeParameter('customer', index) as string,
			body: new URLSearchParams({
				amount: String(this.getNodeParameter('amount', index)),
				currency: String(this.getNodeParameter('currency', index)),
				'metadata[bench_ref]': String(this.getNodeParameter('ref', index)),
			}).toString(),
		}));
		const out: INodeExecutionData[] = new Array(items.length);
		const paceRps = this.getNodeParameter('paceRps', 0, 0) as number;
		let nextSlot = 0;
		let next = 0;
		const worker = async () => {
			while (next < requests.length) {
				const index = next++;
				const { customer, body } = requests[index];
				if (paceRps > 0) {
					const now = Date.now();
					const slot = Math.max(now, nextSlot);
					nextSlot = slot + 1000 / paceRps;
					if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
				}
				try {
					const json = (await this.helpers.httpRequestWithAuthentication.call(this, 'stripeCustomerBalanceApi', {
						method: 'POST',
						url: `${base}/v1/customers/${customer}/balance_transactions`,
						body,
						headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Idempotency-Key': randomUUID() },
					})) as IDataObject;
					out[index] = { json, pairedItem: { item: index } };
				} catch (error) {
					out[index] = { json: { error: (error as Error).message }, pairedItem: { item: index } };
				}
			}
		};
		await Promise.all(Array.from({ length: 32 }, worker));
		return [out];
	}
}

registerNodeType(FLOOR_NODE_TYPE, new BenchFloorNode());
